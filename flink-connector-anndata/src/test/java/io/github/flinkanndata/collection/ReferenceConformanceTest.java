package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case lamindb's {@code MappedCollection} was run on ({@code reference/cases.json}), every
 * field compared: structure, index, join, encoders, each sample (values and dtype), merged
 * categories and labels, weights, the var helpers and closing. Where Python differs from our
 * rule (§14) the differing fields are compared with our rule's answer instead; fields of such
 * cases for which the generator recorded no answer of ours are not compared.
 */
class ReferenceConformanceTest {

    static Stream<ReferenceCase> cases() throws Exception {
        assertThat(ReferenceCase.available()).as("reference/cases.json (python/gen_reference.py)").isTrue();
        List<ReferenceCase> all = ReferenceCase.load();
        assertThat(all).hasSizeGreaterThan(50);
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conforms(ReferenceCase c) throws Exception {
        if (c.pythonFailed() && !c.differs("construction")) {
            assertThatThrownBy(() -> AnnDataCollection.open(c.builder().build()).close())
                    .as("Python failed with: %s", c.node.get("error").asText())
                    .isInstanceOfAny(IllegalArgumentException.class, AnnDataFormatException.class);
            return;
        }
        try (AnnDataCollection coll = AnnDataCollection.open(c.builder().build())) {
            if (c.pythonFailed()) {
                // Python failed where our rule does not: compare what our rule recorded
                assertIndices(coll, c.ours("indices_list"));
                assertLabelMaps(coll, c.ours("merged_categories"), c.ours("merged_labels"), c.ours("encoders"));
                return;
            }
            JsonNode e = c.expected();
            boolean sameRows = !c.differs("indices_list");
            if (sameRows) {
                assertThat(coll.size()).as("len").isEqualTo(e.get("len").asLong());
                assertThat(JsonAsserts.shape(coll.shape())).as("shape").isEqualTo(e.get("shape"));
                assertThat(JsonAsserts.shapes(coll.originalShapes())).as("original_shapes").isEqualTo(e.get("original_shapes"));
                assertThat(JsonAsserts.longs(coll.nObsList())).as("n_obs_list").isEqualTo(e.get("n_obs_list"));
                assertIndices(coll, e.get("indices_list"));
                List<Integer> storage = new ArrayList<>();
                for (long g = 0; g < coll.size(); g++) {
                    storage.add(coll.storageIndex(g));
                }
                assertThat(JsonAsserts.tree(storage)).as("storage_idx").isEqualTo(e.get("storage_idx"));
            } else {
                assertIndices(coll, c.ours("indices_list"));
            }
            assertThat(JsonAsserts.tree(coll.varJoint())).as("var_joint").isEqualTo(e.get("var_joint"));
            assertThat(coll.effectiveJoin().pythonName()).as("effective_join")
                    .isEqualTo(e.get("effective_join").isNull() ? null : e.get("effective_join").asText());
            assertThat(JsonAsserts.tree(coll.varIndices())).as("var_indices").isEqualTo(e.get("var_indices"));
            assertThat(coll.encoders().keySet()).as("encoded keys")
                    .containsExactlyElementsOf(() -> e.get("encoders").fieldNames());
            e.get("encoders").properties().forEach(en -> JsonAsserts.encoder(coll.encoders().get(en.getKey()),
                    pick(c, "encoders", en.getKey(), e)));
            if (sameRows) {
                assertSamples(c, coll, e.get("samples"));
                assertThatThrownBy(() -> coll.get(coll.size())).isInstanceOf(IndexOutOfBoundsException.class);
            }
            for (String key : iterable(e.get("merged_categories").fieldNames())) {
                JsonNode want = pick(c, "merged_categories", key, e);
                JsonAsserts.labelsOrError(want, () -> coll.mergedCategories(key), "merged_categories." + key);
            }
            for (String key : iterable(e.get("merged_labels").fieldNames())) {
                JsonNode want = sameRows || c.differs("merged_labels." + key) ? pick(c, "merged_labels", key, e)
                        : JsonAsserts.MISSING_NODE;
                JsonAsserts.labelsOrError(want, () -> coll.mergedLabels(key), "merged_labels." + key);
            }
            for (JsonNode item : e.get("weights")) {
                JsonNode want = item;
                if (c.differs("weights") || !sameRows) {
                    want = JsonAsserts.matchingWeights(c.ours("weights"), item);
                }
                JsonAsserts.weights(coll, want);
            }
            JsonNode sorted = e.get("check_vars_sorted");
            assertThat(coll.checkVarsSorted(true)).as("check_vars_sorted()").isEqualTo(sorted.get("ascending").asBoolean());
            assertThat(coll.checkVarsSorted(false)).as("check_vars_sorted(False)").isEqualTo(sorted.get("descending").asBoolean());
            JsonNode aligned = e.get("check_vars_non_aligned");
            List<String> vars = new ArrayList<>();
            aligned.get("vars").forEach(v -> vars.add(v.asText()));
            assertThat(JsonAsserts.tree(coll.checkVarsNonAligned(vars))).as("check_vars_non_aligned").isEqualTo(aligned.get("result"));
            if (sameRows) {
                assertThat(JsonAsserts.shapes(coll.originalShapes())).as("original_shapes after the helpers")
                        .isEqualTo(e.get("original_shapes_after_helpers"));
            }
            coll.close();
            assertThat(coll.isClosed()).isEqualTo(e.get("closed_after_close").asBoolean());
            assertThatThrownBy(() -> coll.get(0)).isInstanceOf(IllegalStateException.class);
        }
    }

    /** Python's value of {@code part.key}, or ours where Python differs (a missing node if none). */
    private static JsonNode pick(ReferenceCase c, String part, String key, JsonNode expected) {
        return c.differs(part + "." + key) ? c.ours(part, key) : expected.get(part).get(key);
    }

    private static void assertIndices(AnnDataCollection coll, JsonNode want) {
        if (want.isMissingNode()) {
            return;
        }
        assertThat(JsonAsserts.tree(coll.indicesList())).as("indices_list").isEqualTo(want);
        long n = 0;
        for (JsonNode s : want) {
            n += s.size();
        }
        assertThat(coll.size()).as("len").isEqualTo(n);
    }

    private static void assertLabelMaps(AnnDataCollection coll, JsonNode cats, JsonNode labels, JsonNode encoders)
            throws Exception {
        for (String key : iterable(cats.fieldNames())) {
            JsonAsserts.labelsOrError(cats.get(key), () -> coll.mergedCategories(key), "merged_categories." + key);
        }
        for (String key : iterable(labels.fieldNames())) {
            JsonAsserts.labelsOrError(labels.get(key), () -> coll.mergedLabels(key), "merged_labels." + key);
        }
        for (String key : iterable(encoders.fieldNames())) {
            JsonAsserts.encoder(coll.encoders().get(key), encoders.get(key));
        }
    }

    private static void assertSamples(ReferenceCase c, AnnDataCollection coll, JsonNode samples) throws Exception {
        assertThat((long) samples.size()).isEqualTo(coll.size());
        List<Sample> batch = coll.getRange(0, coll.size());
        for (int g = 0; g < samples.size(); g++) {
            Sample s = coll.get(g);
            assertThat(batch.get(g).asMap().keySet()).as("batch read of %d", g).isEqualTo(s.asMap().keySet());
            JsonNode py = samples.get(g);
            JsonNode oursObs = c.ours("samples_obs").path(g);
            if (!py.has("error")) {
                JsonAsserts.sample(s, py, c.differs("samples") && !oursObs.isMissingNode() ? oursObs : null, g);
            } else if (!oursObs.isMissingNode()) {
                oursObs.properties().forEach(
                        en -> JsonAsserts.label(en.getValue(), s.obs(en.getKey()), "sample " + s.index() + " " + en.getKey()));
            }
            for (String key : s.layerKeys()) {
                assertThat(Values.length(batch.get(g).layer(key).dense())).isEqualTo(s.layer(key).width());
                assertThat(batch.get(g).layer(key).toDoubles()).isEqualTo(s.layer(key).toDoubles());
            }
            for (String key : s.obsmKeys()) {
                assertThat(batch.get(g).obsm(key).shape()).isEqualTo(s.obsm(key).shape());
                assertThat(batch.get(g).obsm(key).toDoubles()).isEqualTo(s.obsm(key).toDoubles());
            }
        }
    }

    static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    static Map.Entry<String, Object> entry(String k, Object v) {
        return Map.entry(k, v);
    }
}
