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
 * Every real store of the real stores opens, its obs columns decode with the dtype pandas
 * reported ({@code facts.json}), and every row of every readable matrix element can be read.
 */
class RealStoresTest {

    static Stream<Arguments> stores() throws Exception {
        JsonNode all = new ObjectMapper().readTree(TestData.realStores().resolve("facts.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.add(Arguments.of(e.getKey(), e.getValue()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void columnsDecodeWithPandasDtypes(String relative, JsonNode facts) throws Exception {
        try (AnnDataStore store = AnnDataStore.open(TestData.realStore(relative))) {
            for (JsonNode col : facts.get("obs_columns")) {
                String name = col.get(0).asText();
                Column c = store.obs().column(name);
                assertThat(c).as(name).isNotNull();
                assertThat(c.pandasDtype()).as(name).isEqualTo(col.get(1).asText());
                assertThat(c.length()).isEqualTo(facts.get("n_obs").asInt());
            }
            assertThat(store.obs().index()).hasSize(facts.get("n_obs").asInt());
            assertThat(store.var().index()).hasSize(facts.get("n_vars").asInt());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void everyRowOfEveryRowMajorElementReads(String relative, JsonNode facts) throws Exception {
        try (AnnDataStore store = AnnDataStore.open(TestData.realStore(relative))) {
            List<String> keys = new ArrayList<>(List.of("X", "raw.X"));
            store.layerKeys().forEach(k -> keys.add("layers/" + k));
            store.obsmKeys().forEach(k -> keys.add("obsm/" + k));
            for (String key : keys) {
                MatrixElement m = store.matrix(key);
                if (m == null || m.layout() == MatrixLayout.CSC || m.layout() == MatrixLayout.DATAFRAME) {
                    continue;
                }
                RowBlock whole = m.readRows(0, m.rows());
                assertThat(whole.rows()).isEqualTo((int) m.rows());
                // reading row by row gives the same values as one range read
                for (long r = 0; r < m.rows(); r += Math.max(1, m.rows() / 7)) {
                    RowBlock one = m.readRows(r, r + 1);
                    assertThat(dense(one, 0)).as("%s row %d", key, r).isEqualTo(dense(whole, (int) r));
                }
            }
        }
    }

    /** One row of a block as doubles, zeros filled in for sparse blocks. */
    static double[] dense(RowBlock b, int row) {
        double[] out = new double[b.width()];
        if (b.isSparse()) {
            for (int i = b.indptr()[row]; i < b.indptr()[row + 1]; i++) {
                out[b.indices()[i]] = b.valueAsDouble(i);
            }
        } else {
            for (int j = 0; j < b.width(); j++) {
                out[j] = b.valueAsDouble(row * b.width() + j);
            }
        }
        return out;
    }
}
