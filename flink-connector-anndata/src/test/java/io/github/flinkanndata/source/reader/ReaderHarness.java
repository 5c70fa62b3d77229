package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.source.output.CellOutputFormat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.split.Seeds;
import io.github.flinkanndata.source.enumerator.PlanEvent;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;

/**
 * One {@link AnnDataSourceReader} on Flink's testing reader context and output, driven from the
 * test thread the way the source operator drives it: {@code pollNext} until the wanted number of
 * records, waiting on {@code isAvailable()} (with a deadline) while the fetcher decodes.
 */
final class ReaderHarness implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 20;

    final RecordingReaderMetricGroup metrics = new RecordingReaderMetricGroup();
    final TestingReaderContext context = new TestingReaderContext(new Configuration(), metrics);
    final TestingReaderOutput<CellRecord> output = new TestingReaderOutput<>();
    final AnnDataSourceReader<CellRecord> reader;

    ReaderHarness(SourceSettings settings) {
        this.reader = AnnDataSourceReader.create(context, settings, CellOutputFormat.cells());
    }

    /** What the enumerator sends: the plan of the same options, without kept rows. */
    static PlanEvent planEvent(AnnDataCollection collection) throws Exception {
        return new PlanEvent(CollectionPlanCodec.toBytes(collection.plan(), false));
    }

    List<CellRecord> emitted() {
        return List.copyOf(output.getEmittedRecords());
    }

    /** Polls until {@code total} records were emitted (never more: one record per poll). */
    List<CellRecord> pollUntil(int total) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (output.getEmittedRecords().size() < total) {
            InputStatus status = reader.pollNext(output);
            assertThat(status).as("input ended after %s of %s records", output.getEmittedRecords().size(), total)
                    .isNotEqualTo(InputStatus.END_OF_INPUT);
            if (status == InputStatus.NOTHING_AVAILABLE) {
                reader.isAvailable().get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
        }
        return emitted();
    }

    /** Tells the reader there are no more splits and polls to the end of input. */
    List<CellRecord> finish() throws Exception {
        reader.notifyNoMoreSplits();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        InputStatus status;
        while ((status = reader.pollNext(output)) != InputStatus.END_OF_INPUT) {
            if (status == InputStatus.NOTHING_AVAILABLE) {
                reader.isAvailable().get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
        }
        return emitted();
    }

    @Override
    public void close() throws Exception {
        reader.close();
    }

    /**
     * The global indices a split emits, in emission order, derived from the split's documented
     * contract: segment rows (or draws) concatenated, then permuted by its seed, from its skip on.
     */
    static List<Long> emissionOrder(AnnDataSplit split, CollectionPlan plan) {
        List<Long> all = new ArrayList<>();
        for (Segment s : split.segments()) {
            long first = plan.offset(s.store()) + s.from();
            if (s.draws() == null) {
                for (long p = s.from(); p < s.to(); p++) {
                    all.add(plan.offset(s.store()) + p);
                }
            } else {
                for (int d : s.draws()) {
                    all.add(first + d);
                }
            }
        }
        if (split.permuted()) {
            int[] perm = Seeds.permutation(all.size(), split.permutationSeed());
            List<Long> permuted = new ArrayList<>(all.size());
            for (int p : perm) {
                permuted.add(all.get(p));
            }
            all = permuted;
        }
        return all.subList(split.skip(), all.size());
    }

    static List<Long> indices(List<CellRecord> records) {
        List<Long> out = new ArrayList<>(records.size());
        records.forEach(r -> out.add(r.globalIndex()));
        return out;
    }

    /** Each record equals the collection's sample at its index, matrix rows in the asked form. */
    static void assertSamples(List<CellRecord> records, AnnDataCollection collection, int epoch, boolean sparse)
            throws Exception {
        for (CellRecord r : records) {
            Sample expected = collection.get(r.globalIndex());
            assertThat(r.epoch()).isEqualTo(epoch);
            assertThat(r.storeIndex()).isEqualTo(expected.storeIndex());
            assertThat(r.row()).isEqualTo(expected.row());
            assertThat(r.keys()).isEqualTo(expected.keys());
            Map<String, Object> want = expected.asMap();
            Map<String, Object> got = r.sample().asMap();
            for (String k : want.keySet()) {
                assertThat(Objects.deepEquals(got.get(k), want.get(k)))
                        .as("%s of sample %s: %s vs %s", k, r.globalIndex(), got.get(k), want.get(k)).isTrue();
            }
            for (String k : r.sample().layerKeys()) {
                MatrixRow row = r.matrix(k);
                assertThat(row.isSparse()).as("%s of sample %s is sparse", k, r.globalIndex()).isEqualTo(sparse);
                assertThat(row.type()).isEqualTo(expected.layer(k).type());
            }
        }
    }
}
