package io.github.flinkanndata.serving;

import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.BatchPieceSerializer;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;

/**
 * A sink serving numbered mini-batches ({@link BatchPiece}s of {@code
 * CellOutputFormat.numberedBatches}) to {@code W} trainer ranks over Arrow Flight.
 *
 * <p>Rank {@code r} gets the batches with {@code g ≡ r (mod W)}, in increasing {@code g}, epoch
 * after epoch; every rank gets {@code floor(G / W)} batches per epoch (the last {@code G mod W}
 * batches of an epoch are dropped), so DDP ranks step in lockstep. Sink subtask {@code i} of
 * {@code n} serves the ranks {@code r ≡ i (mod n)}; {@link #sinkTo} routes the pieces so.
 *
 * <p>Writer state: the pieces of batches not yet whole, and the whole batches a rank has not
 * acknowledged (sent or not). A rank acknowledges by naming, in its next ticket, the first batch
 * it still needs; the sink drops anything before it, replayed ones too, so after a failover the
 * rank gets nothing twice and misses nothing. Changing the sink's parallelism on restore is not
 * supported.
 */
public final class BatchServingSink implements Sink<BatchPiece>, SupportsWriterState<BatchPiece, BatchPiece> {
    private static final long serialVersionUID = 1L;

    private final ServingOptions options;

    public BatchServingSink(ServingOptions options) {
        this.options = options;
    }

    /**
     * Routes {@code pieces} by rank to a serving sink of {@code parallelism} subtasks (at most the
     * world size) and returns it.
     */
    public static DataStreamSink<BatchPiece> sinkTo(DataStream<BatchPiece> pieces, ServingOptions options,
            int parallelism) {
        int w = options.worldSize();
        int n = Math.max(1, Math.min(parallelism, w));
        return pieces.partitionCustom((rank, subtasks) -> rank % subtasks, piece -> (int) (piece.batch() % w))
                .sinkTo(new BatchServingSink(options)).name("serve batches to " + w + " ranks")
                .uid("anndata-serving-sink").setParallelism(n).setMaxParallelism(n);
    }

    @Override
    public StatefulSinkWriter<BatchPiece, BatchPiece> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<BatchPiece, BatchPiece> restoreWriter(WriterInitContext context,
            Collection<BatchPiece> recoveredState) throws IOException {
        return new ServingWriter(options, context.getTaskInfo().getIndexOfThisSubtask(),
                context.getTaskInfo().getNumberOfParallelSubtasks(), context.getTaskInfo().getAttemptNumber(),
                recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BatchPiece> getWriterStateSerializer() {
        return new StateSerializer();
    }

    /** A piece in the writer's state, through {@link BatchPieceSerializer}. */
    static final class StateSerializer implements SimpleVersionedSerializer<BatchPiece> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(BatchPiece piece) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(4096);
            BatchPieceSerializer.INSTANCE.serialize(piece, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public BatchPiece deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown serving sink state version " + version);
            }
            return BatchPieceSerializer.INSTANCE.deserialize(new DataInputDeserializer(serialized));
        }
    }
}
