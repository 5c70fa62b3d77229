package io.github.flinkanndata.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.assigner.BlockShuffledSplits;
import io.github.flinkanndata.source.split.RowSpace;
import io.github.flinkanndata.source.assigner.WeightedSplits;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import io.github.flinkanndata.testutil.TestData;
import java.util.List;

/**
 * The collection the reader tests read: three mixed stores (h5ad CSR, zarr v2 dense, sharded zarr
 * v3 CSR) filtered to two cell types, so kept rows are not contiguous (6 + 25 + 17 = 48 cells),
 * under an outer join, with X, raw.X, an obsm entry and two encoded obs keys.
 */
final class ReaderFixture {
    private ReaderFixture() {}

    static SourceSettings settings(OutputForm form) {
        List<String> paths = List.of(store("mixed_m1.h5ad"), store("mixed_m2_v2.zarr"),
                store("mixed_m3_v3_sharded.zarr"));
        return AnnDataSource.builder(paths).layersKeys("X", "raw.X").obsKeys("cell_type", "donor")
                .obsmKeys("X_emb").join("outer").obsFilter("cell_type", "T cell", "Mono").output(form)
                .fetchRows(4).build().settings();
    }

    private static String store(String name) {
        return TestData.reference().resolve("stores").resolve(name).toString();
    }

    static RowSpace rows(CollectionPlan plan) {
        return new RowSpace(plan.nObsList());
    }

    /** A block-shuffled split of epoch 1 whose window spans more than one store. */
    static AnnDataSplit shuffledSplit(CollectionPlan plan) {
        BlockShuffledSplits policy = new BlockShuffledSplits(rows(plan), 4, 4, 11);
        for (long ordinal = 0; ordinal < policy.splitsPerEpoch(); ordinal++) {
            AnnDataSplit s = policy.split(1, ordinal);
            if (s.segments().stream().map(Segment::store).distinct().count() > 1 && s.size() >= 12) {
                assertThat(s.permuted()).isTrue();
                return s;
            }
        }
        throw new AssertionError("no block-shuffled split spans two stores");
    }

    /** A weighted split (draws with replacement, class-balanced on cell_type). */
    static AnnDataSplit weightedSplit(AnnDataCollection collection) throws Exception {
        double[] weights = collection.labelWeights(List.of("cell_type"), null);
        AnnDataSplit s = new WeightedSplits(rows(collection.plan()), 4, 4, 11, weights).split(0, 1);
        assertThat(s.segments()).allSatisfy(seg -> assertThat(seg.draws()).isNotNull());
        assertThat(s.size()).isEqualTo(16);
        return s;
    }
}
