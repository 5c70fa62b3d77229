package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.CollectionPlanCodecTest.M1;
import static io.github.flinkanndata.collection.CollectionPlanCodecTest.M2;
import static io.github.flinkanndata.collection.CollectionPlanCodecTest.M3;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without kept rows the plan's bytes are O(stores + genes + vocabulary) and independent of the
 * number of rows: what the design asks of enumerator state.
 */
class PlanCodecSizeTest {
    private static final int STORES = 100;

    private static CollectionOptionsBuilder hundredMixedStores() {
        String[] names = {M1, M2, M3};
        List<String> paths = new ArrayList<>();
        for (int s = 0; s < STORES; s++) {
            paths.add(Fixtures.store(names[s % 3]).toString());
        }
        return CollectionOptions.builder(paths).join(Join.OUTER).layersKeys("X", "counts")
                .obsKeys("cell_type", "donor", "score");
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void hundredRealStoresFilteredTwoWaysGiveEqualSizesWithoutKeptRows() throws Exception {
        try (AnnDataCollection a = AnnDataCollection.open(hundredMixedStores().obsFilter("score", 0.5).build());
                AnnDataCollection b = AnnDataCollection.open(hundredMixedStores().obsFilter("score", 0.25, 1.0).build())) {
            assertThat(a.size()).isNotEqualTo(b.size());
            byte[] aCount = CollectionPlanCodec.toBytes(a.plan(), false);
            byte[] bCount = CollectionPlanCodec.toBytes(b.plan(), false);
            byte[] aRows = CollectionPlanCodec.toBytes(a.plan(), true);
            byte[] bRows = CollectionPlanCodec.toBytes(b.plan(), true);
            // one more filter value (8 bytes + tag); everything else, kept counts included, the same size
            assertThat(bCount.length - aCount.length).isEqualTo(9);
            assertThat(aRows.length - aCount.length).isEqualTo(4 * a.size());
            assertThat(bRows.length - bCount.length).isEqualTo(4 * b.size());

            // the bound: per store its path (twice) and var indices, per gene and label its bytes
            CollectionPlan p = a.plan();
            long bound = 1024;
            for (StorePlan s : p.stores()) {
                bound += 2 * (4 + utf8(s.path())) + 4L * s.xCols() + 64;
            }
            for (String g : p.varJoint()) {
                bound += 4 + utf8(g);
            }
            for (LabelEncoder e : p.encoders().values()) {
                for (Object label : e.labels()) {
                    bound += 16 + (label instanceof String ? utf8((String) label) : 0);
                }
            }
            assertThat((long) aCount.length).isLessThanOrEqualTo(bound);
            System.out.printf("plan of %d real stores, %d genes, %d samples: %d bytes without kept rows,"
                    + " %d with (%d samples: %d / %d)%n", STORES, p.nVars(), a.size(), aCount.length, aRows.length,
                    b.size(), bCount.length, bRows.length);
        }
    }

    @Test
    void twoCollectionsDifferingOnlyInRowCountGiveEqualSizes() throws Exception {
        byte[] small = CollectionPlanCodec.toBytes(synthetic(200), false);
        byte[] large = CollectionPlanCodec.toBytes(synthetic(200_000), false);
        assertThat(large.length).isEqualTo(small.length);
        byte[] smallRows = CollectionPlanCodec.toBytes(synthetic(200), true);
        byte[] largeRows = CollectionPlanCodec.toBytes(synthetic(200_000), true);
        // with kept rows: 4 bytes per kept row (half the rows of each of the 100 stores)
        assertThat(largeRows.length - smallRows.length).isEqualTo(4 * STORES * (100_000 - 100));
        assertThat(largeRows.length - large.length).isEqualTo(4 * STORES * 100_000);
        System.out.printf("synthetic plan of %d stores x %d rows: %d bytes without kept rows, %d with;"
                + " x %d rows: %d without, %d with%n", STORES, 200, small.length, smallRows.length, 200_000,
                large.length, largeRows.length);
    }

    /** 100 filtered stores of {@code rows} rows keeping every second one, 2000 genes, 50 cell types. */
    private static CollectionPlan synthetic(int rows) {
        List<String> paths = new ArrayList<>();
        for (int s = 0; s < STORES; s++) {
            paths.add(String.format("/data/atlas/part-%03d.h5ad", s));
        }
        CollectionOptions o = CollectionOptions.builder(paths).obsKeys("cell_type").obsFilter("cell_type", "T cell")
                .join(Join.OUTER).build();
        List<String> genes = new ArrayList<>();
        for (int g = 0; g < 2000; g++) {
            genes.add(String.format("GENE%05d", g));
        }
        List<StorePlan> stores = new ArrayList<>();
        for (int s = 0; s < STORES; s++) {
            int[] kept = new int[rows / 2];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = 2 * i;
            }
            int[] varIndices = new int[1000];
            for (int k = 0; k < varIndices.length; k++) {
                varIndices[k] = (s * 7 + k) % 2000;
            }
            stores.add(new StorePlan(paths.get(s), rows, kept, 1000, varIndices, new boolean[] {true},
                    new boolean[0], new boolean[] {true}));
        }
        List<Object> types = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            types.add(String.format("type %02d", t));
        }
        Map<String, LabelEncoder> encoders = new LinkedHashMap<>();
        encoders.put("cell_type", LabelEncoder.build("cell_type", types, null));
        return new CollectionPlan(o, stores, Join.OUTER, genes, encoders);
    }
}
