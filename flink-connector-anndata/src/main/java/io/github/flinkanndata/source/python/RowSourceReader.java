package io.github.flinkanndata.source.python;

import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.types.Row;

/**
 * The connector's reader with its records converted to rows as they are emitted. Everything else
 * — splits, checkpoints, events, availability — is the wrapped reader's, so the row source keeps
 * the exactly-once behaviour and the checkpoint format of the record source.
 */
@Internal
// javac -Xlint:try flags every AutoCloseable whose close() may throw InterruptedException, as
// Flink's SourceReader.close() declares Exception; Flink, not a try block, closes readers
@SuppressWarnings("try")
final class RowSourceReader implements SourceReader<Row, AnnDataSplit> {
    private final SourceReader<CellRecord, AnnDataSplit> reader;
    private final CellRowMapper mapper;
    private RowReaderOutput output; // wraps the last output polled with

    RowSourceReader(SourceReader<CellRecord, AnnDataSplit> reader, CellRowMapper mapper) {
        this.reader = reader;
        this.mapper = mapper;
    }

    @Override
    public void start() {
        reader.start();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<Row> out) throws Exception {
        if (output == null || !output.wraps(out)) {
            output = new RowReaderOutput(out, mapper);
        }
        return reader.pollNext(output);
    }

    @Override
    public List<AnnDataSplit> snapshotState(long checkpointId) {
        return reader.snapshotState(checkpointId);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return reader.isAvailable();
    }

    @Override
    public void addSplits(List<AnnDataSplit> splits) {
        reader.addSplits(splits);
    }

    @Override
    public void notifyNoMoreSplits() {
        reader.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        reader.handleSourceEvents(event);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        reader.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        reader.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
        reader.pauseOrResumeSplits(toPause, toResume);
    }

    @Override
    public void close() throws Exception {
        reader.close();
    }
}
