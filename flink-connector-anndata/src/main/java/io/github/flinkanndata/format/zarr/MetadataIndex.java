package io.github.flinkanndata.format.zarr;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.flinkanndata.format.tree.AnnDataFormatException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.annotation.Nullable;

/**
 * Finds and parses node metadata of one store, for either zarr version.
 *
 * <p>The version is detected once per store: a root {@code zarr.json} means v3, a root {@code
 * .zgroup}, {@code .zarray} or {@code .zmetadata} means v2. Consolidated metadata (v2 {@code
 * .zmetadata}, v3 {@code consolidated_metadata} inline in the root {@code zarr.json}) is used when
 * present; a node missing from it (written after consolidation) falls back to its own files.
 * Children are taken from the consolidated metadata, or else from listing the store, and are sorted
 * by code point.
 *
 * <p>Immutable after {@link #open}; safe for concurrent use.
 */
final class MetadataIndex {

    private final ZarrStore store;
    private final String location;
    private final int format;

    /** v2: metadata file key → content; v3: node path → zarr.json content. Null if none. */
    @Nullable private final Map<String, JsonNode> consolidated;

    private MetadataIndex(
            ZarrStore store,
            String location,
            int format,
            @Nullable Map<String, JsonNode> consolidated) {
        this.store = store;
        this.location = location;
        this.format = format;
        this.consolidated = consolidated;
    }

    static MetadataIndex open(ZarrStore store, String location) throws AnnDataFormatException {
        MetadataIndex probe = new MetadataIndex(store, location, 0, null);
        byte[] rootV3 = probe.read("", "zarr.json");
        if (rootV3 != null) {
            JsonNode root = probe.parse(rootV3, "", "zarr.json");
            JsonNode inline = root.path("consolidated_metadata").path("metadata");
            Map<String, JsonNode> map = null;
            if (inline.isObject()) {
                map = new HashMap<>();
                flattenV3("", inline, map);
            }
            return new MetadataIndex(store, location, 3, map);
        }
        byte[] zmetadata = probe.read("", ".zmetadata");
        if (zmetadata != null) {
            JsonNode metadata = probe.parse(zmetadata, "", ".zmetadata").path("metadata");
            if (!metadata.isObject()) {
                throw new AnnDataFormatException(
                        location, "", ".zmetadata has no 'metadata' object");
            }
            Map<String, JsonNode> map = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : metadata.properties()) {
                map.put(e.getKey(), e.getValue());
            }
            return new MetadataIndex(store, location, 2, map);
        }
        if (probe.size(".zgroup") >= 0 || probe.size(".zarray") >= 0) {
            return new MetadataIndex(store, location, 2, null);
        }
        throw new AnnDataFormatException(
                location,
                null,
                "not a zarr store: no zarr.json, .zgroup, .zarray or .zmetadata at its root");
    }

    /** zarr-python writes the whole tree flat at the root; nested maps are merged in case. */
    private static void flattenV3(String prefix, JsonNode metadata, Map<String, JsonNode> out) {
        List<Map.Entry<String, JsonNode>> nested = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : metadata.properties()) {
            String path = StoreKeys.join(prefix, e.getKey());
            out.put(path, e.getValue());
            JsonNode inner = e.getValue().path("consolidated_metadata").path("metadata");
            if (inner.isObject() && !inner.isEmpty()) {
                nested.add(Map.entry(path, inner));
            }
        }
        for (Map.Entry<String, JsonNode> e : nested) {
            Map<String, JsonNode> sub = new HashMap<>();
            flattenV3(e.getKey(), e.getValue(), sub);
            sub.forEach(out::putIfAbsent);
        }
    }

    int format() {
        return format;
    }

    /** The metadata of the node at {@code path}, or null if there is none. */
    @Nullable
    NodeMetadata load(String path) throws AnnDataFormatException {
        try {
            return format == 3 ? loadV3(path) : loadV2(path);
        } catch (MetadataException e) {
            throw new AnnDataFormatException(location, path, e.getMessage());
        }
    }

    @Nullable
    private NodeMetadata loadV3(String path) throws AnnDataFormatException, MetadataException {
        JsonNode json = consolidated != null && !path.isEmpty() ? consolidated.get(path) : null;
        if (json == null) {
            byte[] raw = read(path, "zarr.json");
            if (raw == null) {
                return null;
            }
            json = parse(raw, path, "zarr.json");
        }
        if (json.path("zarr_format").asInt() != 3) {
            throw new MetadataException(
                    "zarr.json declares zarr_format " + json.path("zarr_format") + ", expected 3");
        }
        Map<String, Object> attributes = ZarrJson.attributes(json.get("attributes"), "zarr.json");
        String type = json.path("node_type").asText("");
        switch (type) {
            case "group":
                return new NodeMetadata(path, attributes, null);
            case "array":
                return new NodeMetadata(path, attributes, V3Metadata.parseArray(json));
            default:
                throw new MetadataException("zarr.json has an unknown node_type '" + type + "'");
        }
    }

    @Nullable
    private NodeMetadata loadV2(String path) throws AnnDataFormatException, MetadataException {
        JsonNode zarray = v2File(path, ".zarray");
        JsonNode zgroup = zarray == null ? v2File(path, ".zgroup") : null;
        if (zarray == null && zgroup == null) {
            return null;
        }
        JsonNode zattrs = v2File(path, ".zattrs"); // absent: no attributes (anndata 0.7 stores)
        Map<String, Object> attributes = ZarrJson.attributes(zattrs, ".zattrs");
        return new NodeMetadata(
                path, attributes, zarray == null ? null : V2Metadata.parseArray(zarray));
    }

    /** A v2 metadata file, from the consolidated map if it knows the node, else from the store. */
    @Nullable
    private JsonNode v2File(String path, String file) throws AnnDataFormatException {
        if (consolidated != null && knowsV2Node(path)) {
            return consolidated.get(StoreKeys.join(path, file));
        }
        byte[] raw = read(path, file);
        return raw == null ? null : parse(raw, path, file);
    }

    private boolean knowsV2Node(String path) {
        return consolidated.containsKey(StoreKeys.join(path, ".zarray"))
                || consolidated.containsKey(StoreKeys.join(path, ".zgroup"));
    }

    /** Names of the child nodes of the group at {@code path}, sorted by code point. */
    List<String> children(String path) throws AnnDataFormatException {
        List<String> names = new ArrayList<>();
        boolean fromConsolidated =
                consolidated != null
                        && (path.isEmpty()
                                || (format == 3
                                        ? consolidated.containsKey(path)
                                        : knowsV2Node(path)));
        if (fromConsolidated) {
            for (String key : consolidated.keySet()) {
                String node = key;
                if (format == 2) {
                    if (!key.endsWith(".zarray") && !key.endsWith(".zgroup")) {
                        continue;
                    }
                    node = StoreKeys.parent(key);
                }
                if (!node.isEmpty() && StoreKeys.parent(node).equals(path)) {
                    names.add(StoreKeys.name(node));
                }
            }
        } else {
            try {
                for (String dir : store.listDirectories(path)) {
                    String child = StoreKeys.join(path, dir);
                    boolean node =
                            format == 3
                                    ? store.size(StoreKeys.join(child, "zarr.json")) >= 0
                                    : store.size(StoreKeys.join(child, ".zarray")) >= 0
                                            || store.size(StoreKeys.join(child, ".zgroup")) >= 0;
                    if (node) {
                        names.add(dir);
                    }
                }
            } catch (IOException e) {
                throw new AnnDataFormatException(
                        location, path, "cannot list children: " + e.getMessage(), e);
            }
        }
        names.sort(StoreKeys.CODE_POINT_ORDER);
        return Collections.unmodifiableList(names);
    }

    @Nullable
    private byte[] read(String path, String file) throws AnnDataFormatException {
        String key = StoreKeys.join(path, file);
        try {
            return store.read(key);
        } catch (IOException e) {
            throw new AnnDataFormatException(
                    location, path, "cannot read '" + key + "': " + e.getMessage(), e);
        }
    }

    private long size(String key) throws AnnDataFormatException {
        try {
            return store.size(key);
        } catch (IOException e) {
            throw new AnnDataFormatException(
                    location, null, "cannot read '" + key + "': " + e.getMessage(), e);
        }
    }

    private JsonNode parse(byte[] raw, String path, String file) throws AnnDataFormatException {
        try {
            return ZarrJson.parse(raw, StoreKeys.join(path, file));
        } catch (MetadataException e) {
            throw new AnnDataFormatException(location, path, e.getMessage());
        }
    }
}
