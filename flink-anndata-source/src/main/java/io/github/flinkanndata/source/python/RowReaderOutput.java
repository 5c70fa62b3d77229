package io.github.flinkanndata.source.python;

import io.github.flinkanndata.source.record.CellRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.types.Row;

/**
 * The output the wrapped {@code CellRecord} reader writes to: converts each record to a {@link Row}
 * and hands it to the task's output. Per-split outputs are wrapped the same way, so split-local
 * watermarking and idleness behave as without the wrapper.
 *
 * <p>Used by the task thread only (like the output it wraps).
 */
@Internal
final class RowReaderOutput implements ReaderOutput<CellRecord> {
    private final ReaderOutput<Row> out;
    private final CellRowMapper mapper;
    private final Map<String, SourceOutput<CellRecord>> splitOutputs = new HashMap<>();

    RowReaderOutput(ReaderOutput<Row> out, CellRowMapper mapper) {
        this.out = out;
        this.mapper = mapper;
    }

    /** True if this wraps {@code candidate} (the task hands the same output to every poll). */
    boolean wraps(ReaderOutput<Row> candidate) {
        return out == candidate;
    }

    @Override
    public void collect(CellRecord record) {
        out.collect(mapper.map(record));
    }

    @Override
    public void collect(CellRecord record, long timestamp) {
        out.collect(mapper.map(record), timestamp);
    }

    @Override
    public void emitWatermark(Watermark watermark) {
        out.emitWatermark(watermark);
    }

    @Override
    public void markIdle() {
        out.markIdle();
    }

    @Override
    public void markActive() {
        out.markActive();
    }

    @Override
    public SourceOutput<CellRecord> createOutputForSplit(String splitId) {
        return splitOutputs.computeIfAbsent(splitId, id -> new SplitOutput(out.createOutputForSplit(id), mapper));
    }

    @Override
    public void releaseOutputForSplit(String splitId) {
        splitOutputs.remove(splitId);
        out.releaseOutputForSplit(splitId);
    }

    /** One split's output, converting like the reader output. */
    private static final class SplitOutput implements SourceOutput<CellRecord> {
        private final SourceOutput<Row> out;
        private final CellRowMapper mapper;

        SplitOutput(SourceOutput<Row> out, CellRowMapper mapper) {
            this.out = out;
            this.mapper = mapper;
        }

        @Override
        public void collect(CellRecord record) {
            out.collect(mapper.map(record));
        }

        @Override
        public void collect(CellRecord record, long timestamp) {
            out.collect(mapper.map(record), timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            out.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            out.markIdle();
        }

        @Override
        public void markActive() {
            out.markActive();
        }
    }
}
