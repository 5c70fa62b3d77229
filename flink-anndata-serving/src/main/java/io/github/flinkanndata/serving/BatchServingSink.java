package io.github.flinkanndata.serving;

import io.github.flinkanndata.source.record.BatchPiece;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The serving sink: serves numbered mini-batches ({@link BatchPiece}s of {@code
 * CellOutputFormat.numberedBatches}) to {@code W} trainer ranks over Arrow Flight.
 *
 * <p>Rank {@code r} gets the batches with {@code g ≡ r (mod W)}, in increasing {@code g}, epoch
 * after epoch; every rank gets {@code floor(G / W)} batches per epoch (the last {@code G mod W}
 * batches of an epoch are dropped), so DDP ranks step in lockstep. Subtask {@code i} of {@code n}
 * serves the ranks {@code r ≡ i (mod n)}; {@link #sinkTo} routes the pieces so (by key).
 *
 * <p>State: the pieces of batches not yet whole, and the whole batches a rank has not acknowledged
 * (sent or not, or waiting for room in the rank's queue). A rank acknowledges by naming, in its
 * next ticket, the first batch it still needs; the sink drops anything before it, replayed ones
 * too, so after a failover the rank gets nothing twice and misses nothing. Changing the sink's
 * parallelism on restore is not supported.
 *
 * <p>It is a stream operator without output rather than a Sink V2 sink: a writer waiting for room
 * in a rank's queue runs the task's mails meanwhile, among them the unaligned checkpoint barriers,
 * which a Sink V2 writer cannot (see {@link ServingOperator}).
 *
 * <p>One server fed by a source of parallelism 1 (the serving job's default on one node) is
 * chained to the source: the pieces pass as objects in the source's task, with no serialization
 * and no exchange between them (about a sixth of the serving JVM's CPU per cell in
 * {@code benchmarks/serving.py}), and there are no barriers to align, so a checkpoint or savepoint
 * taken while a rank stops pulling completes (the source's task runs it as a mail while the
 * operator waits, and the record it holds is in the operator's state, counted as emitted by the
 * source). More servers or a wider source route the pieces through a keyed exchange.
 */
public final class BatchServingSink {
    private BatchServingSink() {
    }

    /**
     * Routes {@code pieces} by rank to a serving sink of {@code parallelism} subtasks (at most the
     * world size) and returns it. It has no output; the job runs it as it runs a sink. With one
     * subtask after a stream of parallelism 1 it is chained to that stream (see above); enable
     * object reuse on the job to hand it the pieces without a copy (they are not changed after).
     */
    public static SingleOutputStreamOperator<Void> sinkTo(DataStream<BatchPiece> pieces, ServingOptions options,
            int parallelism) {
        int w = options.worldSize();
        int n = Math.max(1, Math.min(parallelism, w));
        if (n == 1 && pieces.getParallelism() == 1) {
            return pieces.transform("serve batches to " + w + " ranks", Types.VOID, new ServingOperator(options))
                    .uid("anndata-serving").setParallelism(1).setMaxParallelism(1);
        }
        int[] keys = keysBySubtask(n);
        return pieces.keyBy(piece -> keys[(int) (piece.batch() % w) % n], Types.INT)
                .transform("serve batches to " + w + " ranks", Types.VOID, new ServingOperator(options))
                .uid("anndata-serving").setParallelism(n).setMaxParallelism(n);
    }

    /**
     * For each subtask {@code i} of {@code n}, a key that Flink's key groups send to it (at a
     * maximum parallelism of {@code n}). The pieces are keyed, not custom-partitioned: Flink sends
     * aligned barriers over a custom partitioner's edge, even with unaligned checkpoints forced, and
     * an aligned barrier waits behind the batches held back by a rank that stopped pulling.
     */
    static int[] keysBySubtask(int n) {
        int[] keys = new int[n];
        java.util.Arrays.fill(keys, -1);
        int found = 0;
        for (int k = 0; found < n; k++) {
            if (k > 1_000_000) {
                throw new IllegalStateException("no key for every one of " + n + " subtasks");
            }
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(k, n, n);
            if (keys[subtask] < 0) {
                keys[subtask] = k;
                found++;
            }
        }
        return keys;
    }
}
