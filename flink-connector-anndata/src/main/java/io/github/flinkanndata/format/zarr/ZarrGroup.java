package io.github.flinkanndata.format.zarr;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.GroupNode;

import java.util.List;
import java.util.Map;

/** A zarr group. Immutable handle; children are resolved on each call (they are not cached). */
final class ZarrGroup implements GroupNode {

    private final String location;
    private final String path;
    private final Map<String, Object> attributes;
    private final MetadataIndex index;

    ZarrGroup(String location, NodeMetadata node, MetadataIndex index) {
        this.location = location;
        this.path = node.path();
        this.attributes = node.attributes();
        this.index = index;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String store() {
        return location;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public List<String> children() throws AnnDataFormatException {
        try {
            return index.children(path);
        } catch (RuntimeException e) {
            throw new AnnDataFormatException(location, path, "cannot list children: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "ZarrGroup(" + location + ":" + path + ")";
    }
}
