package io.github.flinkanndata.source.python;

import io.github.flinkanndata.source.record.CellRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.types.Row;

/**
 * An output the wrapped {@code CellRecord} reader writes to — a split's, or (as the base of {@link
 * RowReaderOutput}) the reader's own — converting each record to a {@link Row}.
 *
 * <p>Used by the task thread only (like the output it wraps).
 */
@Internal
class RowSourceOutput implements SourceOutput<CellRecord> {
    private final SourceOutput<Row> target;
    final CellRowMapper mapper;

    RowSourceOutput(SourceOutput<Row> target, CellRowMapper mapper) {
        this.target = target;
        this.mapper = mapper;
    }

    @Override
    public void collect(CellRecord record) {
        target.collect(mapper.map(record));
    }

    @Override
    public void collect(CellRecord record, long timestamp) {
        target.collect(mapper.map(record), timestamp);
    }

    @Override
    public void emitWatermark(Watermark watermark) {
        target.emitWatermark(watermark);
    }

    @Override
    public void markIdle() {
        target.markIdle();
    }

    @Override
    public void markActive() {
        target.markActive();
    }
}
