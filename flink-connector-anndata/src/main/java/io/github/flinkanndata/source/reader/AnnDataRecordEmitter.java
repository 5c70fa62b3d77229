package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplitState;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/** Emits a decoded record and advances its split's position; all decoding happened before. */
@Internal
final class AnnDataRecordEmitter implements RecordEmitter<CellRecord, CellRecord, AnnDataSplitState> {
    private final ReaderProgress progress;

    AnnDataRecordEmitter(ReaderProgress progress) {
        this.progress = progress;
    }

    @Override
    public void emitRecord(CellRecord record, SourceOutput<CellRecord> output, AnnDataSplitState state) {
        output.collect(record);
        state.advance();
        progress.emitted(record.epoch());
    }
}
