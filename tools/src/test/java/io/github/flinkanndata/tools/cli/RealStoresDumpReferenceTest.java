package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.testutil.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code dump} and {@code summary} on collections of the real stores ({@code
 * testdata/real-stores}: every vitessce anndata version together, anndataR's example, the 0.7
 * archives, mixes of them) against what lamindb's real {@code MappedCollection} returned for the
 * same collections and options ({@code reference/real_store_cases.json}, written by {@code
 * python/gen_real_store_reference.py}).
 *
 * <ul>
 *   <li>Every sample, key for key in record order: ints and strings exactly, float64 exactly,
 *       float32 (stored or cast) compared as float32 (Python records the float32 value widened to
 *       double, we print it in float32's shortest form); an integer dtype must come out as JSON
 *       integers, a float dtype as JSON decimals.
 *   <li>{@code summary}: shape, original shapes, var_joint, effective join, encoders, merged
 *       categories.
 *   <li>A case where lamindb failed: {@code dump} exits non-zero.
 *   <li>Where lamindb differs from our documented rule ({@code python_differs}, docs/semantics.md §14 and
 *       §6.2), the affected fields and sample keys ({@code differs_in}) are compared with our rule
 *       ({@code ours}) instead; Python's values for them are not in the file.
 * </ul>
 */
class RealStoresDumpReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path casesFile() {
        Path dir;
        try {
            dir = TestData.reference(); // -Danndata.reference.dir (scripts/test.sh regenerates there)
        } catch (IllegalStateException notInThisModule) {
            dir = Paths.get("..", "flink-connector-anndata", "src", "test", "resources", "reference");
        }
        return dir.resolve("real_store_cases.json").toAbsolutePath().normalize();
    }

    static JsonNode cases() throws Exception {
        Path f = casesFile();
        assertThat(Files.exists(f)).as("%s (python/gen_real_store_reference.py)", f).isTrue();
        return JSON.readTree(f.toFile());
    }

    record Result(int code, String out, String err) {}

    static Result run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AnnDataCli.run(args.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void theFileCoversTheRealStores() throws Exception {
        JsonNode doc = cases();
        assertThat(doc.get("cases").size()).isGreaterThanOrEqualTo(50);
        Set<String> paths = new HashSet<>();
        doc.get("cases").forEach(c -> c.get("paths").forEach(p -> paths.add(p.asText())));
        for (String v : List.of("0.7", "0.8", "0.9", "0.10", "0.11", "0.12")) {
            assertThat(paths).contains("vitessce/anndata-" + v + "/anndata-dense.zarr");
        }
        assertThat(paths).contains("anndataR/example.h5ad", "anndata-archives/v0.7.0/adata.h5ad",
                "anndata-archives/v0.7.8/adata.h5ad");
    }

    @TestFactory
    Stream<DynamicTest> dumpAgreesWithLamindb() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases().get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c, UnaryOperator.identity())));
        }
        return tests.stream();
    }

    /**
     * The stores lamindb cannot read have twins it can: each 0.7 archive's {@code adata.zarr.zip}
     * holds the same AnnData as its {@code adata.h5ad} (D11: lamindb opens every regular file as
     * HDF5), and the vitessce anndata 0.11 stores the same AnnData as the 0.10 ones (lamindb fails
     * on 0.11's nullable-string categories once obs keys are asked for). So every case that uses
     * the readable twin must give the same answer with the unreadable one swapped in.
     */
    @TestFactory
    Stream<DynamicTest> unreadableTwinsGiveTheSameAnswer() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases().get("cases")) {
            List<String> paths = new ArrayList<>();
            c.get("paths").forEach(p -> paths.add(p.asText()));
            if (paths.stream().anyMatch(p -> !twin(p).equals(p))) {
                tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " (twins)",
                        () -> check(c, RealStoresDumpReferenceTest::twin)));
            }
        }
        assertThat(tests).hasSizeGreaterThan(10);
        return tests.stream();
    }

    static String twin(String path) {
        if (path.matches("anndata-archives/v0\\.7\\.[08]/adata\\.h5ad")) {
            return path.replace(".h5ad", ".zarr.zip");
        }
        if (path.startsWith("vitessce/anndata-0.10/")) {
            return path.replace("anndata-0.10/", "anndata-0.11/");
        }
        return path;
    }

    // ---- one case ---------------------------------------------------------------------------

    private static JsonNode byId(String id) throws Exception {
        for (JsonNode c : cases().get("cases")) {
            if (c.get("id").asText().equals(id)) {
                return c;
            }
        }
        throw new IllegalStateException("no case " + id + " in real_store_cases.json");
    }

    private static void check(JsonNode asked, UnaryOperator<String> twin) throws Exception {
        String id = asked.get("id").asText();
        List<String> paths = new ArrayList<>();
        asked.get("paths").forEach(p -> paths.add(TestData.realStore(twin.apply(p.asText())).toString()));
        for (String p : paths) {
            assertThat(Files.exists(Paths.get(p))).as("%s: real store %s", id, p).isTrue();
        }
        List<String> options = options(asked.get("options"));
        // a number written as text is typed by its column (docs/semantics.md D17): the command line
        // then answers as lamindb does for the case the generator names
        JsonNode c = asked.has("text_like") ? byId(asked.get("text_like").asText()) : asked;

        Result dump = run(concat("dump", paths, options));
        if (c.has("error")) {
            assertThat(dump.code).as("%s: lamindb failed with %s; dump must fail too (stdout %s)", id,
                    c.get("error").asText(), abbreviate(dump.out)).isNotZero();
            assertThat(dump.err).as("%s: one-line message", id).startsWith("error: ");
            return;
        }
        assertThat(dump.code).as("%s: dump exit code; stderr: %s", id, dump.err).isZero();
        JsonNode expected = c.get("expected");
        Set<String> differs = strings(c.get("differs_in"));
        JsonNode ours = c.path("ours");

        List<JsonNode> lines = new ArrayList<>();
        for (String line : dump.out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        assertThat(lines).as("%s: number of samples", id).hasSize(expected.get("len").asInt());
        Set<String> differingKeys = new HashSet<>();
        for (String d : differs) {
            if (d.startsWith("samples.")) {
                differingKeys.add(d.substring("samples.".length()));
            }
        }
        JsonNode samples = expected.get("samples");
        for (int i = 0; i < samples.size(); i++) {
            String where = id + " sample " + i;
            JsonNode exp = samples.get(i);
            JsonNode act = lines.get(i);
            JsonNode oursObs = ours.path("samples_obs").path(i);
            if (exp.has("error")) {
                // lamindb could not read this sample (D4): only the labels of our rule to compare
                assertThat(oursObs.isObject()).as("%s: ours for a failed sample", where).isTrue();
                oursObs.properties().forEach(f -> scalar(where + " " + f.getKey(), act.get(f.getKey()), f.getValue()));
                continue;
            }
            List<String> expKeys = new ArrayList<>();
            exp.fieldNames().forEachRemaining(k -> {
                if (!k.endsWith(".dtype")) {
                    expKeys.add(k);
                }
            });
            List<String> actKeys = new ArrayList<>();
            act.fieldNames().forEachRemaining(k -> {
                if (!differingKeys.contains(k)) {
                    actKeys.add(k);
                }
            });
            assertThat(actKeys).as("%s: keys in record order (%s)", where, act).isEqualTo(expKeys);
            for (String k : expKeys) {
                JsonNode e = exp.get(k);
                if (e.isArray()) {
                    array(where + " " + k, act.get(k), e, exp.path(k + ".dtype").asText());
                } else {
                    scalar(where + " " + k, act.get(k), e);
                }
            }
            for (String k : differingKeys) {
                JsonNode want = oursObs.get(k);
                if (want == null) {
                    assertThat(act.has(k)).as("%s %s: absent in our rule", where, k).isFalse();
                } else {
                    scalar(where + " " + k + " (ours, python_differs " + c.path("python_differs").asText() + ")",
                            act.get(k), want);
                }
            }
        }

        Result summary = run(concat("summary", paths, options));
        assertThat(summary.code).as("%s: summary exit code; stderr: %s", id, summary.err).isZero();
        JsonNode s = JSON.readTree(summary.out);
        assertThat(s.get("shape")).as("%s: shape", id).isEqualTo(expected.get("shape"));
        assertThat(s.get("original_shapes")).as("%s: original_shapes", id).isEqualTo(expected.get("original_shapes"));
        JsonNode varJoint = differs.contains("var_joint") ? ours.get("var_joint") : expected.get("var_joint");
        assertThat(s.get("var_joint")).as("%s: var_joint", id).isEqualTo(varJoint);
        JsonNode join = differs.contains("effective_join") ? ours.get("effective_join") : expected.get("effective_join");
        assertThat(s.get("effective_join")).as("%s: effective_join%s", id,
                differs.contains("effective_join") ? " (ours; lamindb: " + expected.get("effective_join_python") + ")" : "")
                .isEqualTo(join);

        JsonNode encoders = s.get("encoders");
        Set<String> encKeys = new HashSet<>();
        expected.get("encoders").fieldNames().forEachRemaining(encKeys::add);
        ours.path("encoders").fieldNames().forEachRemaining(encKeys::add);
        Set<String> actEncKeys = new HashSet<>();
        encoders.fieldNames().forEachRemaining(actEncKeys::add);
        assertThat(actEncKeys).as("%s: encoded keys", id).isEqualTo(encKeys);
        for (String k : encKeys) {
            JsonNode want = differs.contains("encoders." + k) ? ours.get("encoders").get(k) : expected.get("encoders").get(k);
            encoder(id + " encoder " + k, encoders.get(k), want);
        }
        JsonNode cats = s.get("merged_categories");
        for (JsonNode k : c.get("options").path("obs_keys")) {
            String key = k.asText();
            JsonNode want = differs.contains("merged_categories." + key)
                    ? ours.get("merged_categories").get(key) : expected.get("merged_categories").get(key);
            JsonNode got = cats.get(key);
            assertThat(got.size()).as("%s: merged categories of %s: %s vs %s", id, key, got, want).isEqualTo(want.size());
            for (int j = 0; j < want.size(); j++) {
                scalar(id + " merged category " + key + "[" + j + "]", got.get(j), want.get(j));
            }
        }
    }

    // ---- options → CLI arguments --------------------------------------------------------------

    static List<String> options(JsonNode o) {
        List<String> a = new ArrayList<>();
        keys(a, "--layers-keys", o.get("layers_keys"));
        keys(a, "--obs-keys", o.get("obs_keys"));
        keys(a, "--obsm-keys", o.get("obsm_keys"));
        JsonNode filter = o.get("obs_filter");
        if (filter != null && !filter.isNull()) {
            filter.properties().forEach(f -> {
                List<String> values = new ArrayList<>();
                f.getValue().forEach(v -> values.add(spell(v)));
                a.add("--obs-filter");
                a.add(f.getKey() + "=" + String.join(",", values));
            });
        }
        a.add("--join");
        a.add(o.get("join").isNull() ? "none" : o.get("join").asText());
        JsonNode enc = o.get("encode_labels");
        a.add("--encode-labels");
        if (enc.isBoolean()) {
            a.add(enc.asText());
        } else {
            List<String> ks = new ArrayList<>();
            enc.forEach(k -> ks.add(k.asText()));
            a.add(String.join(",", ks));
        }
        JsonNode unknown = o.get("unknown_label");
        if (unknown != null && !unknown.isNull()) {
            if (unknown.isObject()) {
                unknown.properties().forEach(f -> {
                    a.add("--unknown-label");
                    a.add(f.getKey() + "=" + spell(f.getValue()));
                });
            } else {
                a.add("--unknown-label");
                a.add(spell(unknown));
            }
        }
        if (!o.path("dtype").isNull() && o.has("dtype")) {
            a.add("--dtype");
            a.add(o.get("dtype").asText());
        }
        a.add("--cache-categories");
        a.add(o.path("cache_categories").asText("true"));
        return a;
    }

    private static void keys(List<String> a, String option, JsonNode keys) {
        if (keys == null || keys.isNull()) {
            return;
        }
        List<String> ks = new ArrayList<>();
        keys.forEach(k -> ks.add(k.asText()));
        a.add(option);
        a.add(String.join(",", ks)); // an empty list is "" (no matrices)
    }

    /** A label value in the CLI's spelling (CollectionOptionsMixin): strings always as s:VALUE. */
    static String spell(JsonNode v) {
        if (v.isNull()) {
            return "nan";
        }
        if (v.isTextual()) {
            return "s:" + v.asText();
        }
        return v.asText(); // numbers and booleans
    }

    // ---- comparisons ------------------------------------------------------------------------

    private static void array(String where, JsonNode act, JsonNode exp, String dtype) {
        assertThat(act).as("%s: present", where).isNotNull();
        assertThat(act.isArray()).as("%s: an array, got %s", where, act).isTrue();
        assertThat(act.size()).as("%s: width", where).isEqualTo(exp.size());
        for (int j = 0; j < exp.size(); j++) {
            JsonNode a = act.get(j);
            JsonNode e = exp.get(j);
            String at = where + "[" + j + "] (" + dtype + ")";
            if (dtype.startsWith("int") || dtype.startsWith("uint")) {
                assertThat(a.isIntegralNumber()).as("%s: an integer, got %s", at, a).isTrue();
                assertThat(a.bigIntegerValue()).as(at).isEqualTo(e.bigIntegerValue());
            } else if (dtype.equals("bool")) {
                assertThat(a.isBoolean() && a.asBoolean() == e.asBoolean()).as("%s: %s vs %s", at, a, e).isTrue();
            } else if (dtype.equals("float32") || dtype.equals("float64")) {
                double ev = number(e);
                double av = number(a);
                assertThat(a.isFloatingPointNumber() || a.isTextual()).as("%s: a decimal, got %s", at, a).isTrue();
                if (dtype.equals("float32")) {
                    assertThat(Float.compare((float) av, (float) ev)).as("%s: %s vs %s as float32", at, a, e).isZero();
                } else {
                    assertThat(Double.compare(av, ev)).as("%s: %s vs %s", at, a, e).isZero();
                }
            } else {
                fail("%s: unexpected dtype %s", at, dtype);
            }
        }
    }

    /** A JSON number, or the strings NaN / Infinity / -Infinity. */
    private static double number(JsonNode n) {
        if (n.isTextual()) {
            return Double.parseDouble(n.asText());
        }
        return n.doubleValue();
    }

    /** Labels, codes, _store_idx: exact, with the JSON type (bool ≠ number, integer ≠ decimal). */
    private static void scalar(String where, JsonNode act, JsonNode exp) {
        if (exp.isNull()) {
            assertThat(act).as("%s: null (MISSING), got %s", where, act).isNotNull();
            assertThat(act.isNull()).as("%s: null (MISSING), got %s", where, act).isTrue();
            return;
        }
        assertThat(act).as("%s: present (expected %s)", where, exp).isNotNull();
        if (exp.isNumber()) {
            assertThat(act.isNumber() && act.isIntegralNumber() == exp.isIntegralNumber())
                    .as("%s: %s vs %s (number type)", where, act, exp).isTrue();
            if (exp.isIntegralNumber()) {
                assertThat(act.bigIntegerValue()).as(where).isEqualTo(exp.bigIntegerValue());
            } else {
                assertThat(Double.compare(act.doubleValue(), exp.doubleValue())).as("%s: %s vs %s", where, act, exp)
                        .isZero();
            }
            return;
        }
        assertThat(act).as(where).isEqualTo(exp); // strings, booleans
    }

    /** summary's label → code object against Python's [[label, code], ...] pairs. */
    private static void encoder(String where, JsonNode act, JsonNode pairs) {
        assertThat(act).as("%s: present", where).isNotNull();
        assertThat(act.size()).as("%s: size (%s vs %s)", where, act, pairs).isEqualTo(pairs.size());
        for (JsonNode p : pairs) {
            String label = pyStr(p.get(0));
            assertThat(act.has(label)).as("%s: label %s in %s", where, label, act).isTrue();
            assertThat(act.get(label).asInt()).as("%s: code of %s", where, label).isEqualTo(p.get(1).asInt());
        }
    }

    /** Python's str() of a JSON label (the summary's encoder keys). */
    private static String pyStr(JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? "True" : "False";
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        return Double.toString(v.doubleValue()); // the decimals here (42.42) print alike in both
    }

    private static Set<String> strings(JsonNode list) {
        Set<String> out = new HashSet<>();
        if (list != null) {
            for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
                out.add(it.next().asText());
            }
        }
        return out;
    }

    private static List<String> concat(String command, List<String> paths, List<String> options) {
        List<String> a = new ArrayList<>();
        a.add(command);
        a.addAll(paths);
        a.addAll(options);
        return a;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
