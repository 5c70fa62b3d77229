package io.github.flinkanndata.source.python;

import io.github.flinkanndata.source.record.CellRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
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
final class RowReaderOutput extends RowSourceOutput implements ReaderOutput<CellRecord> {
    private final ReaderOutput<Row> out;
    private final Map<String, SourceOutput<CellRecord>> splitOutputs = new HashMap<>();

    RowReaderOutput(ReaderOutput<Row> out, CellRowMapper mapper) {
        super(out, mapper);
        this.out = out;
    }

    /** True if this wraps {@code candidate} (the task hands the same output to every poll). */
    boolean wraps(ReaderOutput<Row> candidate) {
        return out == candidate;
    }

    @Override
    public SourceOutput<CellRecord> createOutputForSplit(String splitId) {
        return splitOutputs.computeIfAbsent(splitId, id -> new RowSourceOutput(out.createOutputForSplit(id), mapper));
    }

    @Override
    public void releaseOutputForSplit(String splitId) {
        splitOutputs.remove(splitId);
        out.releaseOutputForSplit(splitId);
    }
}
