package io.github.flinkanndata.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixture matrix written by the real anndata ({@code python/gen_fixtures.py}) reads back
 * exactly: names, column encodings, dtypes, categories, masks and every matrix value, through whole
 * reads, single-row reads and ranges that cross chunk and shard boundaries. Expected values are the
 * ones the generator recorded with numpy/pandas in {@code expected.json}.
 */
class FixtureMatrixTest {

    static Stream<Arguments> stores() throws Exception {
        JsonNode all = new ObjectMapper().readTree(TestData.fixtures().resolve("expected.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = all.get("stores").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.add(Arguments.of(e.getKey(), e.getValue()));
        }
        assertThat(out).as("fixture stores").hasSizeGreaterThan(10);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void namesAndColumns(String relative, JsonNode exp) throws Exception {
        try (AnnDataStore store = AnnDataStore.open(TestData.fixtures().resolve(relative))) {
            assertThat(store.format().id()).isEqualTo(exp.get("format").asText());
            assertThat(store.nObs()).isEqualTo(exp.get("n_obs").asLong());
            assertThat(store.nVars()).isEqualTo(exp.get("n_vars").asLong());
            assertThat(store.obs().index()).isEqualTo(texts(exp.get("obs_names")));
            assertThat(store.var().index()).isEqualTo(texts(exp.get("var_names")));
            if (exp.has("obs_index_name")) {
                assertThat(store.obs().indexKey()).isEqualTo(exp.get("obs_index_name").asText());
            }
            List<String> order = new ArrayList<>();
            for (JsonNode col : exp.get("obs_columns")) {
                String name = col.get("name").asText();
                order.add(name);
                Column c = store.obs().column(name);
                assertThat(c).as(name).isNotNull();
                assertThat(c.kind().encodingType()).as(name).isEqualTo(col.get("encoding").asText());
                assertThat(c.pandasDtype()).as(name).isEqualTo(numpyName(col.get("pandas_dtype").asText()));
                assertLabels(name, c.labels(), col.get("values"));
                if (c.isCategorical()) {
                    assertLabels(name + " categories", c.categories(), col.get("categories"));
                    assertThat(c.ordered()).as(name + " ordered").isEqualTo(col.get("ordered").asBoolean());
                }
            }
            assertThat(store.obs().columnOrder()).isEqualTo(order);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void matrixValues(String relative, JsonNode exp) throws Exception {
        try (AnnDataStore store = AnnDataStore.open(TestData.fixtures().resolve(relative))) {
            for (Iterator<Map.Entry<String, JsonNode>> it = exp.get("elements").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey().equals("raw/X") ? "raw.X" : e.getKey();
                JsonNode el = e.getValue();
                MatrixElement m = store.matrix(key);
                assertThat(m).as(key).isNotNull();
                assertThat(m.layout().id()).as(key).isEqualTo(el.get("layout").asText());
                if (m.layout() == MatrixLayout.DATAFRAME) {
                    continue;
                }
                assertThat(m.dataType().numpyName()).as(key).isEqualTo(numpyName(el.get("dtype").asText()));
                assertThat(m.rows()).as(key).isEqualTo(el.get("shape").get(0).asLong());
                if (m.layout() == MatrixLayout.CSC) {
                    continue;
                }
                double[][] expected = denseOf(el.get("dense"), m.isVector());
                assertRows(key + " whole", m.readRows(0, m.rows()), expected);
                for (int step : new int[] {1, 3, 7}) {
                    for (long from = 0; from < m.rows(); from += step) {
                        long to = Math.min(m.rows(), from + step);
                        assertRows(key + " rows " + from + ".." + to, m.readRows(from, to), expected);
                    }
                }
            }
        }
    }

    private static void assertRows(String what, RowBlock block, double[][] expected) {
        for (int r = 0; r < block.rows(); r++) {
            double[] got = RealStoresTest.dense(block, r);
            assertThat(got).as("%s, row %d", what, block.firstRow() + r)
                    .containsExactly(expected[(int) block.firstRow() + r]);
        }
    }

    private static double[][] denseOf(JsonNode rows, boolean vector) {
        double[][] out = new double[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            JsonNode row = rows.get(r);
            if (vector) {
                out[r] = new double[] {number(row)};
            } else {
                out[r] = new double[row.size()];
                for (int c = 0; c < row.size(); c++) {
                    out[r][c] = number(row.get(c));
                }
            }
        }
        return out;
    }

    private static double number(JsonNode n) {
        if (n.isTextual()) {
            switch (n.asText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    throw new AssertionError("unexpected value " + n);
            }
        }
        if (n.isBoolean()) {
            return n.asBoolean() ? 1 : 0;
        }
        return n.asDouble();
    }

    /** Labels compare by value: numbers numerically, null for missing. */
    private static void assertLabels(String what, List<Object> got, JsonNode expected) {
        assertThat(got).as(what + " length").hasSize(expected.size());
        for (int i = 0; i < got.size(); i++) {
            Object g = got.get(i);
            JsonNode e = expected.get(i);
            String at = what + "[" + i + "]";
            if (e.isNull()) {
                assertThat(g).as(at).isNull();
            } else if (e.isBoolean()) {
                assertThat(g).as(at).isEqualTo(e.asBoolean());
            } else if (e.isNumber()) {
                assertThat(g).as(at).isInstanceOf(Number.class);
                assertThat(((Number) g).doubleValue()).as(at).isEqualTo(e.asDouble());
            } else {
                assertThat(g).as(at).isEqualTo(e.asText());
            }
        }
    }

    /**
     * pandas prints a non-native byte order as a type code ({@code >f8}); values are decoded to
     * native order when read, so for us the type is just {@code float64}.
     */
    static String numpyName(String pandasDtype) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[<>=|]([iuf])(\\d)").matcher(pandasDtype);
        if (!m.matches()) {
            return pandasDtype;
        }
        String kind = m.group(1).equals("i") ? "int" : m.group(1).equals("u") ? "uint" : "float";
        return kind + (8 * Integer.parseInt(m.group(2)));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
