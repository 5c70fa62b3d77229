package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.testutil.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code inspect --json} agrees with every fact the reference library reported for the real
 * stores in the real stores ({@code facts.json}, written by Python anndata).
 */
class InspectFactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> facts() throws Exception {
        JsonNode all = JSON.readTree(TestData.realStores().resolve("facts.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.add(Arguments.of(e.getKey(), e.getValue()));
        }
        assertThat(out).hasSizeGreaterThan(20);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("facts")
    void inspectJsonMatchesFacts(String relative, JsonNode expected) throws Exception {
        Path store = TestData.realStore(relative);
        CollectionCommandsTest.Result r = run("inspect", store.toString(), "--json");
        assertThat(r.code).as("exit code; stderr: %s", r.err).isZero();
        String[] lines = r.out.strip().split("\n");
        assertThat(lines).as("exactly one JSON object").hasSize(1);
        JsonNode got = JSON.readTree(lines[0]);

        assertThat(got.get("path").asText()).isEqualTo(store.toString());
        assertThat(got.get("format").asText()).isEqualTo(relative.endsWith(".h5ad") ? "h5ad" : "zarr");
        assertThat(got.get("n_obs").asLong()).isEqualTo(expected.get("n_obs").asLong());
        assertThat(got.get("n_vars").asLong()).isEqualTo(expected.get("n_vars").asLong());
        assertThat(got.get("var_names_head")).isEqualTo(expected.get("var_head"));
        assertThat(got.get("obs_names_head")).isEqualTo(expected.get("obs_head"));
        List<String> columns = new ArrayList<>();
        expected.get("obs_columns").forEach(c -> columns.add(c.get(0).asText()));
        assertThat(texts(got.get("obs_columns"))).isEqualTo(columns);
        assertThat(got.get("layers")).isEqualTo(expected.get("layers"));
        assertThat(got.get("obsm")).isEqualTo(expected.get("obsm"));
        assertThat(got.get("raw").asBoolean()).isEqualTo(expected.get("raw").asBoolean());
        assertThat(got.get("X").isNull() ? null : got.get("X").asText())
                .isEqualTo(xKind(expected.get("X")));
    }

    @Test
    void readableSummaryNamesTheParts() throws Exception {
        CollectionCommandsTest.Result r = run("inspect", TestData.realStore("anndataR/example.h5ad").toString());
        assertThat(r.code).isZero();
        assertThat(r.out)
                .contains("50 cells x 100 genes")
                .contains("csr 50x100")
                .contains("leiden (category")
                .contains("IntNA (Int64)")
                .contains("csc_counts (csc");
    }

    @Test
    void unreadableStoreExitsNonZeroWithTheMessage() throws Exception {
        Path bogus = Files.createTempFile("not-a-store", ".h5ad");
        Files.writeString(bogus, "this is not HDF5");
        CollectionCommandsTest.Result r = run("inspect", bogus.toString(), "--json");
        assertThat(r.code).isNotZero();
        assertThat(r.out).isEmpty();
        assertThat(r.err).contains(bogus.toString()).contains("neither an HDF5 file");
    }

    @Test
    void missingPathExitsNonZero() {
        CollectionCommandsTest.Result r = run("inspect", "no/such/store.zarr", "--json");
        assertThat(r.code).isNotZero();
        assertThat(r.err).contains("no/such/store.zarr").contains("no such file");
    }

    private static String xKind(JsonNode x) {
        if (x == null || x.isNull()) {
            return null;
        }
        switch (x.asText()) {
            case "ndarray":
                return "dense";
            case "csr_matrix":
                return "csr";
            case "csc_matrix":
                return "csc";
            default:
                throw new AssertionError("unknown X kind in facts: " + x);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static CollectionCommandsTest.Result run(String... args) {
        return CollectionCommandsTest.run(args);
    }
}
