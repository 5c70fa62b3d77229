package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.testutil.TestData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The collection the enumerator tests plan (three mixed stores of 30, 30 and 36 cells) and the
 * moves of a pull-based reader.
 *
 * <p>Splits per epoch over the 96 cells: sequential, 10 rows per split: 3 + 3 + 4 = 10;
 * block-shuffled, blocks of 8 (4 + 4 + 5 = 13 blocks), 3 blocks per split: 5; weighted, 8 × 3 =
 * 24 draws per split: 4.
 */
final class EnumeratorFixture {
    static final int SAMPLES = 96;

    private EnumeratorFixture() {}

    static String store(String name) {
        return TestData.reference().resolve("stores").resolve(name).toString();
    }

    static List<String> mixed() {
        return List.of(store("mixed_m1.h5ad"), store("mixed_m2_v2.zarr"), store("mixed_m3_v3_sharded.zarr"));
    }

    static AnnDataSourceBuilder builder(SamplingMode mode, int epochs) {
        AnnDataSourceBuilder b = AnnDataSource.builder(mixed()).obsKeys("cell_type").sampling(mode).epochs(epochs)
                .rowsPerSplit(10).blockSize(8).windowBlocks(3).seed(17);
        return mode == SamplingMode.WEIGHTED ? b.weightKeys("cell_type") : b;
    }

    static SourceSettings settings(SamplingMode mode, int epochs) {
        return builder(mode, epochs).build().settings();
    }

    static int splitsPerEpoch(SamplingMode mode) {
        switch (mode) {
            case SEQUENTIAL:
                return 10;
            case BLOCK_SHUFFLED:
                return 5;
            default:
                return 4;
        }
    }

    /** The plan bytes a reader must receive: what planning the same options yields. */
    static byte[] expectedPlanBytes(SourceSettings settings) throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(settings.collection())) {
            return CollectionPlanCodec.toBytes(c.plan(), false);
        }
    }

    static AnnDataSplitEnumerator start(RecordingEnumeratorContext context, SourceSettings settings,
            AnnDataEnumState state) {
        AnnDataSplitEnumerator e = AnnDataSplitEnumerator.create(context, settings, state);
        e.start();
        return e;
    }

    /** Started, and planning (the queued {@code callAsync}) has run. */
    static AnnDataSplitEnumerator planned(RecordingEnumeratorContext context, SourceSettings settings,
            AnnDataEnumState state) {
        AnnDataSplitEnumerator e = start(context, settings, state);
        context.triggerAllActions();
        return e;
    }

    /**
     * Reader {@code subtask} asks for splits until it is told there are no more (or {@code max}
     * splits were handed to it); returns the splits in order.
     */
    static List<AnnDataSplit> drain(AnnDataSplitEnumerator e, RecordingEnumeratorContext context, int subtask,
            int max) {
        List<AnnDataSplit> out = new ArrayList<>();
        while (out.size() < max) {
            int before = context.assigned(subtask).size();
            e.handleSplitRequest(subtask, null);
            List<AnnDataSplit> after = context.assigned(subtask);
            if (after.size() == before) {
                break;
            }
            out.addAll(after.subList(before, after.size()));
        }
        return out;
    }

    /** The state as it comes back from a checkpoint: through the serializer. */
    static AnnDataEnumState checkpoint(AnnDataSplitEnumerator e, long id) throws IOException {
        AnnDataEnumStateSerializer serializer = new AnnDataEnumStateSerializer();
        return serializer.deserialize(serializer.getVersion(), serializer.serialize(e.snapshotState(id)));
    }
}
