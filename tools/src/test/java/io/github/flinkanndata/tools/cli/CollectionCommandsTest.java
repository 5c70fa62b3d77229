package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.TextLabel;
import io.github.flinkanndata.testutil.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code dump}, {@code summary} and {@code weights}, run in-process on the reference fixture
 * stores (docs/semantics.md §15: C12 = part_one + part_two, C123 adds other_vars) and on the real
 * stores. Expected values are those of docs/semantics.md and of lamindb.
 */
class CollectionCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The reference stores of the connector module (or -Danndata.reference.dir). */
    static String store(String name) {
        String dir = System.getProperty("anndata.reference.dir");
        Path base = dir != null && !dir.isBlank() ? Paths.get(dir)
                : Paths.get("..", "flink-connector-anndata", "src", "test", "resources", "reference");
        Path p = base.resolve("stores").resolve(name).toAbsolutePath().normalize();
        assertThat(Files.exists(p)).as("reference store %s", p).isTrue();
        return p.toString();
    }

    static String[] args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof String[]) {
                out.addAll(List.of((String[]) p));
            } else {
                out.add(p.toString());
            }
        }
        return out.toArray(new String[0]);
    }

    static String[] c12() {
        return new String[] {store("part_one.h5ad"), store("part_two.zarr")};
    }

    static String[] c123() {
        return new String[] {store("part_one.h5ad"), store("part_two.zarr"), store("other_vars.h5ad")};
    }

    private static List<JsonNode> lines(Result r) throws Exception {
        assertThat(r.code).as("exit code; stderr: %s", r.err).isZero();
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out.split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static JsonNode one(Result r) throws Exception {
        List<JsonNode> l = lines(r);
        assertThat(l).as("exactly one JSON value").hasSize(1);
        return l.get(0);
    }

    @Test
    void dumpPrintsOneRecordPerSample() throws Exception {
        List<JsonNode> l = lines(run(args("dump", c12(), "--obs-keys", "feat1")));
        assertThat(l).hasSize(4);
        assertThat(l.get(0).toString()).isEqualTo("{\"_store_idx\":0,\"X\":[1,2,3],\"feat1\":0}");
        assertThat(l.get(2).toString()).isEqualTo("{\"_store_idx\":1,\"X\":[1,2,5],\"feat1\":0}");
        assertThat(l.get(3).toString()).isEqualTo("{\"_store_idx\":1,\"X\":[4,5,8],\"feat1\":1}");
    }

    @Test
    void dumpRangeLayersObsmAndDtype() throws Exception {
        List<JsonNode> l = lines(run(args("dump", c12(), "--start", "1", "--end", "3", "--layers-keys", "layer1,raw.X",
                "--obsm-keys", "X_pca", "--obs-keys", "feat2", "--encode-labels", "false", "--dtype", "float32")));
        assertThat(l).hasSize(2);
        assertThat(l.get(0).toString()).isEqualTo(
                "{\"_store_idx\":0,\"layer1\":[4.0,5.0,6.0],\"raw.X\":[12.0,13.0,14.0,15.0],\"obsm_X_pca\":[3.0,4.0],\"feat2\":\"B\"}");
        assertThat(l.get(1).toString()).isEqualTo(
                "{\"_store_idx\":1,\"layer1\":[1.0,2.0,5.0],\"obsm_X_pca\":[1.0,2.0],\"feat2\":\"A\"}");
    }

    @Test
    void dumpOuterJoinWithAMissingFilter() throws Exception {
        List<JsonNode> l = lines(run(args("dump", c123(), "--join", "outer", "--obs-filter", "feat1=nan", "--obs-keys", "feat1")));
        assertThat(l).hasSize(1);
        assertThat(l.get(0).toString()).isEqualTo("{\"_store_idx\":2,\"X\":[1,2,5,0,0,0],\"feat1\":null}");
        assertThat(lines(run(args("dump", c123(), "--join", "outer", "--obs-filter", "feat1=A,nan")))).hasSize(3);
    }

    @Test
    void filterValuesAreTypedByTheirColumn() throws Exception {
        String n = store("num.h5ad");
        assertThat(lines(run(args("dump", n, "--obs-keys", "num", "--encode-labels", "false", "--obs-filter", "num=3"))))
                .extracting(j -> j.get("X").get(0).asInt()).containsExactly(0, 8);
        assertThat(run(args("dump", n, "--obs-filter", "num=s:3")).out).isEmpty();
        assertThat(lines(run(args("dump", n, "--obs-filter", "nbool=true", "--obs-filter", "num=3.0")))).hasSize(1);
        // scanpy's clustering writes leiden categories as the strings "0", "1", ...: the text 1
        // selects the string "1" there (it selected nothing when text was typed by its spelling)
        String leiden = TestData.realStore("vitessce/anndata-0.10/anndata-dense.zarr").toString();
        List<JsonNode> all = lines(run(args("dump", leiden, "--obs-keys", "leiden", "--encode-labels", "false")));
        long ones = all.stream().filter(j -> j.get("leiden").asText().equals("1")).count();
        assertThat(ones).isPositive();
        assertThat(lines(run(args("dump", leiden, "--obs-keys", "leiden", "--encode-labels", "false",
                "--obs-filter", "leiden=1")))).hasSize((int) ones).allMatch(j -> j.get("leiden").asText().equals("1"));
        assertThat(CollectionOptionsMixin.value("nan")).isSameAs(Missing.MISSING);
        assertThat(CollectionOptionsMixin.value("s:nan")).isEqualTo("nan");
        assertThat(CollectionOptionsMixin.value("s:3")).isEqualTo("3");
        assertThat(((TextLabel) CollectionOptionsMixin.value("-2")).parsed()).isEqualTo(-2L);
        assertThat(((TextLabel) CollectionOptionsMixin.value("2.5")).parsed()).isEqualTo(2.5);
        assertThat(((TextLabel) CollectionOptionsMixin.value("1e-3")).parsed()).isEqualTo(0.001);
        assertThat(((TextLabel) CollectionOptionsMixin.value("false")).parsed()).isEqualTo(false);
        assertThat(CollectionOptionsMixin.value("T cell")).isEqualTo("T cell");
    }

    /**
     * A pre-0.7 file keeps raw as root-level raw.X: lamindb does not read it, so dump gives no
     * raw.X, and inspect says it is not read instead of listing it as raw (docs/semantics.md §7.1).
     */
    @Test
    void legacyRootLevelRawIsReportedAsNotReadAndNeverDumped() throws Exception {
        String legacy = TestData.realStore("anndata-archives/v0.5.0/adata.h5ad").toString();
        Result inspect = run(args("inspect", legacy));
        assertThat(inspect.code).isZero();
        assertThat(inspect.out).containsPattern("raw +pre-0.7 root-level raw.X, not read");
        Result dump = run(args("dump", legacy, "--layers-keys", "raw.X", "--end", "3"));
        assertThat(lines(dump)).hasSize(3).allMatch(j -> !j.has("raw.X"));
        assertThat(dump.err).contains("warning: layers key 'raw.X' is in no store", "pre-0.7 root-level raw.X is not read");
    }

    @Test
    void whatMatchesNothingIsReportedOnStderr() throws Exception {
        String leiden = TestData.realStore("vitessce/anndata-0.10/anndata-dense.zarr").toString();
        Result r = run(args("dump", leiden, "--obs-keys", "leiden,leidn", "--obs-filter", "leiden=9"));
        assertThat(r.code).isZero();
        assertThat(r.out).isEmpty();
        assertThat(r.err).contains("warning: obs key 'leidn' is in no store", "'leiden'")
                .contains("warning: obs_filter value '9' of 'leiden' matches no label", "'1'");
    }

    @Test
    void summaryOfAnOuterJoin() throws Exception {
        JsonNode s = one(run(args("summary", c123(), "--join", "outer", "--obs-keys", "feat1")));
        JsonNode perKey = ((com.fasterxml.jackson.databind.node.ObjectNode) s).remove("stores_with_key");
        assertThat(s.toString()).isEqualTo("{\"shape\":[6,6],\"original_shapes\":[[2,3],[2,3],[2,3]],"
                + "\"effective_join\":\"outer\",\"var_joint\":[\"A\",\"B\",\"C\",\"GATA1\",\"MYC\",\"TCF7\"],"
                + "\"encoders\":{\"feat1\":{\"A\":0,\"B\":1}},\"merged_categories\":{\"feat1\":[\"A\",\"B\"]}}");
        assertThat(perKey.get("obs").get("feat1").toString()).isEqualTo(storesWith(c123(), "feat1"));
        // a collection where one store lacks the key: the list names the others, as inspect sees them
        String[] mixed = {store("part_one.h5ad"), store("num.h5ad")};
        JsonNode m = one(run(args("summary", mixed[0], mixed[1], "--join", "none", "--obs-keys", "feat1,num")));
        assertThat(m.get("stores_with_key").get("obs").get("feat1").toString()).isEqualTo(storesWith(mixed, "feat1"))
                .isNotEqualTo("[0,1]");
        assertThat(m.get("stores_with_key").get("obs").get("num").toString()).isEqualTo(storesWith(mixed, "num"));
        assertThat(m.get("stores_with_key").get("layers").get("X").toString()).isEqualTo("[0,1]");
    }

    /** The stores whose obs columns, as {@code inspect --json} lists them, include {@code key}. */
    private static String storesWith(String[] paths, String key) throws Exception {
        List<Integer> with = new ArrayList<>();
        for (int i = 0; i < paths.length; i++) {
            for (JsonNode col : one(run(args("inspect", "--json", paths[i]))).get("obs_columns")) {
                if (col.asText().equals(key)) {
                    with.add(i);
                }
            }
        }
        return with.toString().replace(" ", "");
    }

    @Test
    void summaryWithoutJoinAndWithUnknownLabels() throws Exception {
        JsonNode s = one(run(args("summary", store("num.h5ad"), store("b.h5ad"), "--join", "none")));
        assertThat(s.get("shape").toString()).isEqualTo("[5,null]");
        assertThat(s.get("var_joint").isNull()).isTrue();
        assertThat(s.get("effective_join").isNull()).isTrue();
        JsonNode u = one(run(args("summary", store("num.h5ad"), "--obs-keys", "num,cat", "--unknown-label", "num=3",
                "--unknown-label", "cat=s:zzz")));
        assertThat(u.get("encoders").toString()).isEqualTo("{\"num\":{\"3\":-1,\"1\":0},\"cat\":{\"a\":0,\"b\":1}}");
        assertThat(u.get("merged_categories").toString()).isEqualTo("{\"num\":[1,3],\"cat\":[\"a\",\"b\"]}");
    }

    @Test
    void weightsPerSampleAndByClass() throws Exception {
        JsonNode w = one(run(args("weights", c123(), "--join", "outer", "--keys", "feat1")));
        double third = 1.0 / 3;
        double[] expected = {0.5, third, 0.5, third, 1.0, third};
        assertThat(w.size()).isEqualTo(6);
        for (int i = 0; i < 6; i++) {
            assertThat(w.get(i).asDouble()).isCloseTo(expected[i], within(0.0));
        }
        assertThat(one(run(args("weights", store("num.h5ad"), "--keys", "cat,num", "--by-class"))).toString())
                .isEqualTo("{\"b__3\":1.0,\"a__1\":1.0,\"nan__3\":1.0}");
        assertThat(one(run(args("weights", store("num.h5ad"), "--keys", "num", "--scaler", "2"))).toString())
                .isEqualTo("[0.5," + (2.0 / 3) + ",0.5]");
    }

    @Test
    void realStoresOfTwoAnndataVersions() throws Exception {
        String a = TestData.realStore("vitessce/anndata-0.7/anndata-csr.zarr").toString();
        String b = TestData.realStore("vitessce/anndata-0.12/anndata-dense.zarr").toString();
        JsonNode s = one(run(args("summary", a, b, "--obs-keys", "leiden")));
        assertThat(s.get("shape").toString()).isEqualTo("[6,15]");
        assertThat(s.get("encoders").toString()).isEqualTo("{\"leiden\":{\"1\":0,\"2\":1}}");
        List<JsonNode> l = lines(run(args("dump", a, b, "--obs-keys", "leiden", "--obsm-keys", "X_umap", "--start", "3")));
        assertThat(l).hasSize(3);
        assertThat(l.get(2).toString()).isEqualTo("{\"_store_idx\":1,\"X\":[0.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,10.0,"
                + "11.0,12.0,13.0,14.0],\"obsm_X_umap\":[1,1],\"leiden\":1}");
    }

    /**
     * obsm entries of more than two dimensions (h5ad, zarr v2, sharded zarr v3): each record is,
     * byte for byte, what Python's json prints for lamindb's record of the same sample (case
     * {@code X-ND-all} of {@code reference/cases.json}: nested lists of {@code ndarray.tolist()}).
     */
    @Test
    void dumpPrintsObsmOfMoreThanTwoDimensionsAsNestedListsLikeLamindb() throws Exception {
        String[] nd = {store("obsm_nd.h5ad"), store("obsm_nd_v2.zarr"), store("obsm_nd_v3_sharded.zarr")};
        Result r = run(args("dump", nd, "--obsm-keys", "cube,patch", "--layers-keys", "X", "--join", "outer"));
        List<JsonNode> l = lines(r);
        JsonNode expected = null;
        Path cases = Paths.get(store("obsm_nd.h5ad")).getParent().getParent().resolve("cases.json");
        for (JsonNode c : JSON.readTree(cases.toFile()).get("cases")) {
            if (c.get("id").asText().equals("X-ND-all")) {
                expected = c.get("expected").get("samples");
            }
        }
        assertThat(expected).as("case X-ND-all in %s", cases).isNotNull();
        assertThat(l).hasSize(expected.size()).hasSize(15);
        String[] printed = r.out.strip().split("\n");
        for (int i = 0; i < expected.size(); i++) {
            com.fasterxml.jackson.databind.node.ObjectNode want = expected.get(i).deepCopy();
            want.remove(List.of("X.dtype", "obsm_cube.dtype", "obsm_patch.dtype"));
            assertThat(printed[i]).as("sample %d", i).isEqualTo(JSON.writeValueAsString(want));
        }
        assertThat(printed[0]).startsWith("{\"_store_idx\":0,\"X\":[1.0,1.5,1.0],"
                + "\"obsm_cube\":[[[45,7],[15,42]],[[-49,27],[-25,2]]],\"obsm_patch\":[[-2.0,0.0,-1.0],[0.25,2.75,-2.25]]}");

        String inspect = run("inspect", nd[2]).out;
        assertThat(inspect).contains("patch (dense 6x2x3 float32)", "cube (dense 6x2x2x2 int64)", "pca (dense 6x2 float64)");
    }

    @Test
    void badOptionsAndStoresFailWithOneLine() {
        assertOneLineError(run(args("dump", c12(), "--join", "left")), "join must be inner, outer or none");
        assertOneLineError(run(args("summary", c12(), "--encode-labels", "feat9", "--obs-keys", "feat1")), "encode_labels");
        assertOneLineError(run(args("dump", c12(), "--dtype", "float16")), "dtype must be one of");
        assertOneLineError(run(args("weights", c12(), "--keys", "feat1", "--scaler", "abc")), "--scaler");
        assertOneLineError(run(args("dump", c12(), "--obs-filter", "feat1")), "--obs-filter expects KEY=V1");
        assertOneLineError(run(args("dump", c12(), "--end", "99")), "--end must be in [0, 4]");
        assertOneLineError(run(args("dump", "no/such/store.h5ad")), "no/such/store.h5ad");
        assertOneLineError(run(args("dump", store("csc.h5ad"), "--layers-keys", "X,layer1")), "layers/layer1");
        assertOneLineError(run(args("summary", c123(), "--join", "inner")), "share no variables");
        assertOneLineError(run(args("weights", c12(), "--keys", "nope")), "nope");
    }

    private static void assertOneLineError(Result r, String contains) {
        assertThat(r.code).as("exit code of %s", r.err).isNotZero();
        assertThat(r.out).isEmpty();
        assertThat(r.err.strip().split("\n")).as("stderr: %s", r.err).hasSize(1);
        assertThat(r.err).startsWith("error: ").contains(contains);
    }

    static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AnnDataCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }
}
