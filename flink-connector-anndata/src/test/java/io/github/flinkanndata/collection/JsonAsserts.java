package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.github.flinkanndata.format.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.annotation.Nullable;

/**
 * Comparisons of collection answers with the JSON the reference generator wrote: labels by
 * label equality with null as MISSING, matrix rows by value and numpy dtype, weights exactly.
 * A missing expected node means "not recorded": nothing is compared.
 */
final class JsonAsserts {
    static final JsonNode MISSING_NODE = MissingNode.getInstance();
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonAsserts() {}

    /** Our value as JSON, normalised the way the expectations were parsed (small ints as ints). */
    static JsonNode tree(@Nullable Object value) {
        try {
            return JSON.readTree(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode shape(Shape s) {
        return tree(new Object[] {s.rows(), s.cols()});
    }

    static JsonNode shapes(List<Shape> shapes) {
        List<Object[]> out = new ArrayList<>();
        for (Shape s : shapes) {
            out.add(new Object[] {s.rows(), s.cols()});
        }
        return tree(out);
    }

    static JsonNode longs(long[] a) {
        return tree(a);
    }

    /** One label: null ↔ MISSING, booleans stay booleans, numbers by value, strings exactly. */
    static void label(JsonNode want, @Nullable Object actual, String what) {
        if (want.isObject() && want.has("nondeterministic")) {
            // Python's code changes from run to run (NaN among its categories, D8) and the
            // generator recorded no answer of ours: only check that the key is encoded
            assertThat(actual).as(what).isInstanceOfAny(Integer.class, Missing.class);
        } else if (want.isNull()) {
            assertThat(actual).as(what).isSameAs(Missing.MISSING);
        } else if (want.isBoolean()) {
            assertThat(actual).as(what).isEqualTo(want.booleanValue());
        } else if (want.isNumber()) {
            assertThat(actual).as(what).isInstanceOf(Number.class);
            assertThat(Labels.equal(actual, ReferenceCase.label(want))).as("%s: %s vs expected %s", what, actual, want).isTrue();
        } else {
            assertThat(actual).as(what).isEqualTo(want.asText());
        }
    }

    static void labelsOrError(JsonNode want, Callable<List<Object>> actual, String what) throws Exception {
        if (want.isMissingNode()) {
            return;
        }
        if (want.isObject() && want.has("error")) {
            assertThatThrownBy(actual::call).as("%s (Python: %s)", what, want.get("error").asText())
                    .isInstanceOfAny(IllegalArgumentException.class, CollectionException.class);
            return;
        }
        List<Object> got = actual.call();
        assertThat(got).as("%s: %s vs expected %s", what, got, want).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            label(want.get(i), got.get(i), what + "[" + i + "] of " + got);
        }
    }

    /** An encoder as [label, code] pairs, in dict order. */
    static void encoder(@Nullable LabelEncoder enc, JsonNode want) {
        if (want.isMissingNode()) {
            return;
        }
        assertThat(enc).as("encoder for %s", want).isNotNull();
        assertThat(enc.size()).as("size of %s vs %s", enc, want).isEqualTo(want.size());
        for (int i = 0; i < want.size(); i++) {
            Object label = ReferenceCase.label(want.get(i).get(0));
            assertThat(Labels.equal(enc.labels().get(i), label)).as("entry %d of %s vs %s", i, enc, want).isTrue();
            assertThat(enc.code(label)).as("code of %s in %s", label, enc).isEqualTo(want.get(i).get(1).asInt());
        }
    }

    /** The recorded answer of ours for the same weights request, or a missing node. */
    static JsonNode matchingWeights(JsonNode ours, JsonNode request) {
        for (JsonNode item : ours) {
            if (item.get("keys").equals(request.get("keys")) && item.get("scaler").equals(request.get("scaler"))
                    && item.get("return_categories").equals(request.get("return_categories"))) {
                return item;
            }
        }
        return MISSING_NODE;
    }

    static void weights(AnnDataCollection coll, JsonNode item) throws Exception {
        if (item.isMissingNode()) {
            return;
        }
        List<String> keys = new ArrayList<>();
        item.get("keys").forEach(k -> keys.add(k.asText()));
        Double scaler = item.get("scaler").isNull() ? null : item.get("scaler").asDouble();
        boolean byClass = item.get("return_categories").asBoolean();
        String what = "weights " + keys + " scaler " + scaler + (byClass ? " by class" : "");
        if (item.has("error")) {
            assertThatThrownBy(() -> coll.labelWeights(keys, scaler)).as(what).isInstanceOf(Exception.class);
            return;
        }
        JsonNode want = item.get("result");
        if (byClass) {
            Map<String, Double> expected = new LinkedHashMap<>();
            want.forEach(p -> expected.put(p.get(0).asText(), p.get(1).asDouble()));
            assertThat(coll.labelWeightsByClass(keys, scaler)).as(what).containsExactlyEntriesOf(expected);
        } else {
            double[] expected = new double[want.size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = want.get(i).asDouble();
            }
            assertThat(coll.labelWeights(keys, scaler)).as(what).containsExactly(expected);
        }
    }

    /**
     * A sample against Python's record: key order, {@code _store_idx}, every matrix (values and
     * dtype), every obs value ({@code oursObs} replaces Python's obs values where they differ).
     */
    static void sample(Sample s, JsonNode py, @Nullable JsonNode oursObs, int g) {
        List<String> keys = new ArrayList<>();
        py.fieldNames().forEachRemaining(k -> {
            if (!k.endsWith(".dtype")) {
                keys.add(k);
            }
        });
        String at = "sample " + g;
        assertThat(s.keys()).as("%s keys", at).containsExactlyElementsOf(keys);
        assertThat(s.storeIndex()).as(at).isEqualTo(py.get("_store_idx").asInt());
        for (String key : s.layerKeys()) {
            matrix(s.layer(key), py.get(key), py.get(key + ".dtype"), at + " " + key);
        }
        for (String key : s.obsmKeys()) {
            matrix(s.obsm(key), py.get("obsm_" + key), py.get("obsm_" + key + ".dtype"), at + " obsm_" + key);
        }
        for (String key : s.obsKeys()) {
            JsonNode want = oursObs != null && oursObs.has(key) ? oursObs.get(key) : py.get(key);
            label(want, s.obs(key), at + " " + key);
        }
    }

    private static void matrix(MatrixRow row, JsonNode values, @Nullable JsonNode dtype, String what) {
        if (dtype != null) {
            assertThat(row.type().numpyName()).as("%s dtype", what).isEqualTo(dtype.asText());
        }
        Object dense = row.dense();
        if (!values.isArray()) {
            // a 1-D obsm entry: Python returns the scalar
            assertThat(row.width()).as(what).isEqualTo(1);
            value(dense, 0, values, what);
            return;
        }
        // a row of an obsm entry of shape (n, d1, d2, ...): Python returns nested lists of (d1, d2, ...)
        List<Integer> shape = new ArrayList<>();
        List<JsonNode> flat = new ArrayList<>();
        flatten(values, 0, shape, flat, what);
        assertThat(row.shape()).as("%s shape", what).containsExactly(shape.stream().mapToInt(Integer::intValue).toArray());
        assertThat(row.width()).as("%s width", what).isEqualTo(flat.size());
        for (int j = 0; j < flat.size(); j++) {
            value(dense, j, flat.get(j), what + "[" + j + "]");
        }
    }

    /** The shape of a JSON array nested like numpy's tolist(), and its leaves in C order. */
    private static void flatten(JsonNode a, int depth, List<Integer> shape, List<JsonNode> leaves, String what) {
        if (shape.size() == depth) {
            shape.add(a.size());
        }
        assertThat(a.size()).as("%s: a ragged nested list", what).isEqualTo(shape.get(depth));
        for (JsonNode x : a) {
            if (x.isArray()) {
                flatten(x, depth + 1, shape, leaves, what);
            } else {
                assertThat(shape).as("%s: a ragged nested list", what).hasSize(depth + 1);
                leaves.add(x);
            }
        }
    }

    private static void value(Object dense, int j, JsonNode want, String what) {
        if (dense instanceof boolean[]) {
            assertThat(((boolean[]) dense)[j]).as(what).isEqualTo(want.asBoolean());
        } else if (dense instanceof float[] || dense instanceof double[]) {
            double w = want.isTextual() ? Double.parseDouble(want.asText().replace("Infinity", "Infinity")) : want.asDouble();
            assertThat(Values.asDouble(dense, j)).as(what).isEqualTo(w);
        } else {
            assertThat(Values.asLong(dense, j)).as(what).isEqualTo(want.asLong());
        }
    }
}
