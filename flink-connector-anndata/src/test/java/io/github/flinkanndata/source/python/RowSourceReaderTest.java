package io.github.flinkanndata.source.python;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.OutputForm;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/**
 * The wrapping reader converts what the wrapped one emits — on the reader output and on per-split
 * outputs — and hands everything else through unchanged.
 */
class RowSourceReaderTest {
    private static CellRecord record(long index, float value) {
        return new CellRecord(1, new Sample(index, 0, index, new String[] {"X"},
                new MatrixRow[] {MatrixRow.dense(DataType.FLOAT32, new float[] {value})}, new String[0],
                new MatrixRow[0], new String[0], new Object[0]));
    }

    /** Emits record 0 on the reader output and record 1 (timestamped) on the output of split "s". */
    private static final class FakeReader implements SourceReader<CellRecord, AnnDataSplit> {
        final List<String> calls = new ArrayList<>();

        @Override
        public void start() {
            calls.add("start");
        }

        @Override
        public InputStatus pollNext(ReaderOutput<CellRecord> output) {
            output.collect(record(0, 1.5f));
            SourceOutput<CellRecord> split = output.createOutputForSplit("s");
            split.collect(record(1, 2.5f), 42L);
            split.emitWatermark(new Watermark(40L));
            output.releaseOutputForSplit("s");
            return InputStatus.END_OF_INPUT;
        }

        @Override
        public List<AnnDataSplit> snapshotState(long checkpointId) {
            calls.add("snapshot " + checkpointId);
            return List.of();
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void addSplits(List<AnnDataSplit> splits) {
            calls.add("addSplits " + splits.size());
        }

        @Override
        public void notifyNoMoreSplits() {
            calls.add("noMoreSplits");
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            calls.add("event");
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            calls.add("complete " + checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            calls.add("pause " + toPause + " resume " + toResume);
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    /** Records what reaches the task: rows with their timestamps, watermarks, split lifecycle. */
    private static final class CapturingOutput implements ReaderOutput<Row> {
        final List<String> events = new ArrayList<>();

        @Override
        public void collect(Row row) {
            events.add("row " + row);
        }

        @Override
        public void collect(Row row, long timestamp) {
            events.add("row " + row + " @" + timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            events.add("watermark " + watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            events.add("idle");
        }

        @Override
        public void markActive() {
            events.add("active");
        }

        @Override
        public SourceOutput<Row> createOutputForSplit(String splitId) {
            events.add("create " + splitId);
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            events.add("release " + splitId);
        }
    }

    private static RowSourceReader wrap(FakeReader fake) {
        CellRowSchema schema = CellRowSchema.of(
                AnnDataSource.builder("a.h5ad").output(OutputForm.DENSE).build().settings(), Map.of());
        return new RowSourceReader(fake, new CellRowMapper(schema));
    }

    @Test
    void recordsBecomeRowsOnEveryOutput() throws Exception {
        CapturingOutput out = new CapturingOutput();
        InputStatus status = wrap(new FakeReader()).pollNext(out);
        assertThat(status).isEqualTo(InputStatus.END_OF_INPUT);
        assertThat(out.events).containsExactly("row +I[0, 0, 1, [1.5]]", "create s", "row +I[0, 1, 1, [2.5]] @42",
                "watermark 40", "release s");
    }

    @Test
    void everythingElseReachesTheWrappedReader() throws Exception {
        FakeReader fake = new FakeReader();
        RowSourceReader reader = wrap(fake);
        reader.start();
        reader.addSplits(List.of());
        assertThat(reader.snapshotState(3)).isEmpty();
        reader.notifyCheckpointComplete(3);
        reader.handleSourceEvents(new SourceEvent() {});
        reader.pauseOrResumeSplits(List.of("a"), List.of("b"));
        reader.notifyNoMoreSplits();
        reader.close();
        assertThat(fake.calls).containsExactly("start", "addSplits 0", "snapshot 3", "complete 3", "event",
                "pause [a] resume [b]", "noMoreSplits", "close");
    }
}
