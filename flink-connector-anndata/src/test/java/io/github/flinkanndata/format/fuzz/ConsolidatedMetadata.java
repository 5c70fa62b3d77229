package io.github.flinkanndata.format.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Keeps a mutated metadata file and the store's consolidated metadata in step. anndata writes
 * consolidated metadata (v2 {@code .zmetadata}, v3 inline {@code consolidated_metadata} in the
 * root {@code zarr.json}) and the readers prefer it, so a mutation of a per-node file alone would
 * rarely be read.
 */
final class ConsolidatedMetadata {
    // zarr v2 writes NaN and Infinity fill values as bare tokens
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private ConsolidatedMetadata() {}

    /** The file holding the consolidated metadata of a directory store, else its root metadata. */
    static String fileOf(Path store) {
        for (String f : new String[] {".zmetadata", "zarr.json", ".zgroup"}) {
            if (Files.exists(store.resolve(f))) {
                return f;
            }
        }
        throw new IllegalArgumentException("no root metadata in " + store);
    }

    /**
     * Adds to {@code files} the consolidated document with the entry of {@code file} replaced by
     * {@code mutated} (removed if null). Nothing is added when {@code file} is the consolidated
     * document itself, the store has none, or the mutant is not a JSON object.
     */
    static void mirror(Path store, String file, @Nullable byte[] mutated, Map<String, byte[]> files)
            throws IOException {
        String consolidated = fileOf(store);
        if (file.equals(consolidated)) {
            return;
        }
        JsonNode value = null;
        if (mutated != null) {
            try {
                value = JSON.readTree(mutated);
            } catch (IOException notJson) {
                return;
            }
            if (value == null || !value.isObject()) {
                return;
            }
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(store.resolve(consolidated)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
            return;
        }
        ObjectNode entries;
        String key;
        if (consolidated.equals(".zmetadata")) {
            entries = (ObjectNode) root.get("metadata");
            key = file;
        } else {
            JsonNode cm = root.path("consolidated_metadata").path("metadata");
            if (!cm.isObject() || !file.endsWith("/zarr.json")) {
                return;
            }
            entries = (ObjectNode) cm;
            key = file.substring(0, file.length() - "/zarr.json".length());
        }
        if (entries == null || !entries.has(key)) {
            return;
        }
        if (value == null) {
            entries.remove(key);
        } else {
            entries.set(key, value);
        }
        files.put(consolidated, root.toString().getBytes(StandardCharsets.UTF_8));
    }
}
