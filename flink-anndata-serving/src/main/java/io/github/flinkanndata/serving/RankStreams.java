package io.github.flinkanndata.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.CellBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of a {@link ServingWriter}: answers each rank's DoGet with a stream of its
 * batches, in order, from its {@link RankQueue}. A ticket names the rank, the world size, the most
 * batches the stream should carry and the first batch the rank still needs, which acknowledges
 * everything before it. Shares the writer's lock, condition and queues; the writer fills the
 * queues, this drains them.
 */
final class RankStreams extends NoOpFlightProducer {
    private static final Logger LOG = LoggerFactory.getLogger(RankStreams.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Longest a stream waits for its root's last message to be written before filling it again; a
     * rank that stops reading mid-message holds it, and the stream then ends (the rank's next
     * stream gets a fresh root).
     */
    private static final long WRITE_WAIT_MILLIS = 10_000;

    private final ServingOptions options;
    private final BufferAllocator allocator;
    private final ReentrantLock lock;
    private final Condition changed;
    private final Map<Integer, RankQueue> ranks;
    private final BooleanSupplier closed;
    private final BooleanSupplier inputEnded;

    RankStreams(ServingOptions options, BufferAllocator allocator, ReentrantLock lock, Condition changed,
            Map<Integer, RankQueue> ranks, BooleanSupplier closed, BooleanSupplier inputEnded) {
        this.options = options;
        this.allocator = allocator;
        this.lock = lock;
        this.changed = changed;
        this.ranks = ranks;
        this.closed = closed;
        this.inputEnded = inputEnded;
    }

    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
        RankQueue q;
        long want;
        int max;
        try {
            JsonNode t = JSON.readTree(new String(ticket.getBytes(), StandardCharsets.UTF_8));
            int rank = t.path("rank").asInt(-1);
            int world = t.path("world").asInt(-1);
            max = t.path("max").asInt(options.bufferBatches());
            // no position: a rank that starts with the job (wherever the job's token put it)
            want = t.hasNonNull("epoch") ? RankQueue.pos(t.path("epoch").asInt(0), t.path("g").asLong(0)) : -1;
            if (world != options.worldSize()) {
                throw CallStatus.INVALID_ARGUMENT.withDescription("this job serves " + options.worldSize()
                        + " ranks, the ticket says " + world).toRuntimeException();
            }
            q = ranks.get(rank);
            if (q == null) {
                throw CallStatus.NOT_FOUND.withDescription("rank " + rank + " is not served here (ranks "
                        + ranks.keySet() + ")").toRuntimeException();
            }
        } catch (IOException e) {
            listener.error(CallStatus.INVALID_ARGUMENT.withDescription("bad ticket: " + e.getMessage())
                    .toRuntimeException());
            return;
        } catch (RuntimeException e) {
            listener.error(e);
            return;
        }
        lock.lock();
        try {
            long p = want < 0 ? q.ackPos : q.normalize(want);
            if (p < q.ackPos) {
                listener.error(CallStatus.INVALID_ARGUMENT.withDescription("rank " + q.rank
                        + " asks for epoch " + RankQueue.epochOf(p) + " batch " + RankQueue.batchOf(p)
                        + ", before what it acknowledged (epoch " + RankQueue.epochOf(q.ackPos) + " batch "
                        + RankQueue.batchOf(q.ackPos) + "): restart the job from the rank's token")
                        .toRuntimeException());
                return;
            }
            q.acknowledge(p);
            q.activeStreams++;
            q.lastActivity = System.currentTimeMillis();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            stream(q, Math.max(1, max), listener);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            listener.error(CallStatus.CANCELLED.withDescription("server stopping").toRuntimeException());
        } catch (RuntimeException e) {
            LOG.warn("stream of rank {} failed", q.rank, e);
            listener.error(CallStatus.INTERNAL.withDescription(String.valueOf(e)).toRuntimeException());
        } finally {
            lock.lock();
            try {
                q.activeStreams--;
                q.lastActivity = System.currentTimeMillis();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void stream(RankQueue q, int max, ServerStreamListener listener) throws InterruptedException {
        OutgoingRoot root = null;
        boolean reusable = true;
        try {
            int sent = 0;
            while (sent < max) {
                List<BatchPiece> batch;
                boolean end = false;
                lock.lock();
                try {
                    while (true) {
                        if (closed.getAsBoolean()) {
                            listener.error(CallStatus.UNAVAILABLE.withDescription(
                                    "the serving sink is closing (the job restarts, fails or ends)")
                                    .toRuntimeException());
                            return;
                        }
                        if (listener.isCancelled()) {
                            return;
                        }
                        batch = q.head();
                        if (batch != null) {
                            break;
                        }
                        if (inputEnded.getAsBoolean() && q.items.tailMap(q.sendPos).isEmpty()) {
                            end = true;
                            break;
                        }
                        if (sent > 0) {
                            break; // let the rank acknowledge what it has while the next batch is read
                        }
                        changed.await(100, TimeUnit.MILLISECONDS);
                        q.lastActivity = System.currentTimeMillis();
                    }
                } finally {
                    lock.unlock();
                }
                if (end) {
                    if (root == null) {
                        root = start(listener, null);
                    }
                    putMetadata(listener, "{\"end\":true}");
                    lock.lock();
                    try {
                        q.endSent = true;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                    break;
                }
                if (batch == null) {
                    break;
                }
                List<CellBatch> cells = new ArrayList<>(batch.size());
                batch.forEach(p -> cells.add(p.cells()));
                Schema schema = ArrowBatches.schema(cells);
                if (root == null) {
                    lock.lock();
                    try {
                        root = q.takeRoot(schema);
                    } finally {
                        lock.unlock();
                    }
                    root = start(listener, root != null ? root : new OutgoingRoot(
                            VectorSchemaRoot.create(schema, allocator)));
                } else if (!root.root().getSchema().equals(schema)) {
                    break; // the next stream carries the new schema
                }
                if (!root.awaitWritten(WRITE_WAIT_MILLIS, () -> closed.getAsBoolean() || listener.isCancelled())) {
                    reusable = false; // its last message is stuck: never fill it again
                    break;
                }
                ArrowBatches.fill(root.root(), cells);
                root.filled();
                String meta = ArrowBatches.metadata(batch, q.rank, options.worldSize());
                lock.lock();
                try {
                    if (q.head() != batch) {
                        break; // acknowledged meanwhile by another stream of the same rank
                    }
                    q.sendPos = q.next(q.sendPos);
                    q.lastActivity = System.currentTimeMillis();
                } finally {
                    lock.unlock();
                }
                ArrowBuf buf = metadataBuffer(meta);
                listener.putNext(buf);
                sent++;
            }
            if (root == null) {
                root = start(listener, null);
            }
            listener.completed();
        } finally {
            if (root != null) {
                lock.lock();
                try {
                    q.returnRoot(root, reusable && !closed.getAsBoolean() && root.root().getSchema().getFields().size() > 0);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Starts the stream with {@code root}, or with an empty one (a stream that carries no
     * batch), its buffers sent without a copy (see {@link OutgoingRoot}).
     */
    private OutgoingRoot start(ServerStreamListener listener, OutgoingRoot root) {
        OutgoingRoot r = root != null ? root
                : new OutgoingRoot(VectorSchemaRoot.create(new Schema(List.of()), allocator));
        listener.setUseZeroCopy(true);
        listener.start(r.root());
        return r;
    }

    private ArrowBuf metadataBuffer(String meta) {
        byte[] bytes = meta.getBytes(StandardCharsets.UTF_8);
        ArrowBuf buf = allocator.buffer(bytes.length);
        buf.writeBytes(bytes);
        return buf;
    }

    private void putMetadata(ServerStreamListener listener, String meta) {
        listener.putMetadata(metadataBuffer(meta));
    }
}
