package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.source.split.AnnDataSplitState;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Emits a converted record and advances its split's position by the cells it covers, in one step
 * on the task thread; all decoding and conversion happened before. The position advances first: a
 * chained operator that waits inside {@code collect} while running the task's mails (the serving
 * operator, while a trainer rank's queue is full) may take a checkpoint there, and it keeps the
 * record in its own state, so the source's state must count the record as emitted.
 */
@Internal
final class AnnDataRecordEmitter<T> implements RecordEmitter<ConvertedRecord<T>, T, AnnDataSplitState> {
    private final ReaderProgress progress;
    /** The split whose records were emitted last: the reader's splits are emitted one after another. */
    @Nullable private AnnDataSplitState last;

    AnnDataRecordEmitter(ReaderProgress progress) {
        this.progress = progress;
    }

    @Override
    public void emitRecord(ConvertedRecord<T> converted, SourceOutput<T> output, AnnDataSplitState state) {
        if (state != last) {
            last = state;
            progress.splitStarted(state.split().splitId());
        }
        state.advance(converted.cells());
        progress.emitted(converted.epoch(), converted.cells());
        if (converted.record() != null) {
            output.collect(converted.record());
        }
    }
}
