package io.github.flinkanndata.collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.testutil.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * One case of {@code reference/cases.json}, written by {@code python/gen_reference.py} from runs
 * of lamindb's {@code MappedCollection}: the options as Python received them, and either the
 * error Python raised or everything it returned. Where Python differs from our rule (docs/semantics.md
 * §14) the case names the differing fields ({@code differs_in}) and carries our rule's answer
 * for them ({@code ours}).
 */
final class ReferenceCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    final String id;
    final JsonNode node;
    final Set<String> differsIn = new HashSet<>();

    private ReferenceCase(JsonNode node) {
        this.id = node.get("id").asText();
        this.node = node;
        node.path("differs_in").forEach(d -> differsIn.add(d.asText()));
    }

    static Path casesFile() {
        return TestData.reference().resolve("cases.json");
    }

    static boolean available() {
        try {
            return Files.isRegularFile(casesFile());
        } catch (IllegalStateException e) {
            return false;
        }
    }

    static List<ReferenceCase> load() throws IOException {
        JsonNode doc = JSON.readTree(casesFile().toFile());
        List<ReferenceCase> out = new ArrayList<>();
        doc.get("cases").forEach(c -> out.add(new ReferenceCase(c)));
        return out;
    }

    boolean pythonFailed() {
        return node.has("error");
    }

    boolean differs(String field) {
        return differsIn.contains(field);
    }

    JsonNode expected() {
        return node.get("expected");
    }

    /** Our rule's answer for a field where Python differs, or a missing node. */
    JsonNode ours(String... path) {
        JsonNode n = node.path("ours");
        for (String p : path) {
            n = n.path(p);
        }
        return n;
    }

    /** The options of the case, with paths resolved against the reference folder. */
    CollectionOptionsBuilder builder() {
        List<String> paths = new ArrayList<>();
        node.get("paths").forEach(p -> paths.add(TestData.reference().resolve(p.asText()).toString()));
        JsonNode o = node.get("options");
        CollectionOptionsBuilder b = CollectionOptions.builder(paths)
                .layersKeys(strings(o.get("layers_keys")))
                .obsKeys(strings(o.get("obs_keys")))
                .obsmKeys(strings(o.get("obsm_keys")))
                .join(o.get("join").isNull() ? null : o.get("join").asText())
                .cacheCategories(o.get("cache_categories").asBoolean())
                .parallel(o.get("parallel").asBoolean())
                .dtype(o.get("dtype").isNull() ? null : o.get("dtype").asText());
        JsonNode filter = o.get("obs_filter");
        if (!filter.isNull()) {
            Map<String, Object> f = new LinkedHashMap<>();
            filter.properties().forEach(e -> {
                List<Object> values = new ArrayList<>();
                e.getValue().forEach(v -> values.add(label(v)));
                f.put(e.getKey(), values);
            });
            b.obsFilter(f);
        }
        JsonNode enc = o.get("encode_labels");
        if (enc.isArray()) {
            b.encodeLabels(strings(enc));
        } else {
            b.encodeLabels(enc.asBoolean());
        }
        JsonNode unknown = o.get("unknown_label");
        if (unknown.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            unknown.properties().forEach(e -> m.put(e.getKey(), label(e.getValue())));
            b.unknownLabel(m);
        } else if (!unknown.isNull()) {
            b.unknownLabel(label(unknown));
        }
        return b;
    }

    @Nullable
    private static List<String> strings(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** A JSON label: null is MISSING (the generator writes NaN and NA as null). */
    static Object label(JsonNode v) {
        if (v.isNull()) {
            return Missing.MISSING;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        return v.asText();
    }

    @Override
    public String toString() {
        return id;
    }
}
