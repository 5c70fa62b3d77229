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
import javax.annotation.Nullable;
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
    /**
     * Longest a stream waits for a free shared-memory slot before it sends the batch over the
     * socket instead. A ring has room for two full streams, so a rank that drops its batches after
     * its step never makes it wait; one that keeps more than that gets them by socket.
     */
    private static final long SLOT_WAIT_MILLIS = 1_000;

    private final ServingOptions options;
    private final BufferAllocator allocator;
    @Nullable private final SharedMemory shared;
    private final ReentrantLock lock;
    private final Condition changed;
    private final Map<Integer, RankQueue> ranks;
    private final BooleanSupplier closed;
    private final BooleanSupplier inputEnded;

    RankStreams(ServingOptions options, BufferAllocator allocator, @Nullable SharedMemory shared, ReentrantLock lock,
            Condition changed, Map<Integer, RankQueue> ranks, BooleanSupplier closed, BooleanSupplier inputEnded) {
        this.options = options;
        this.allocator = allocator;
        this.shared = shared;
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
        JsonNode shm;
        try {
            JsonNode t = JSON.readTree(new String(ticket.getBytes(), StandardCharsets.UTF_8));
            int rank = t.path("rank").asInt(-1);
            int world = t.path("world").asInt(-1);
            max = t.path("max").asInt(options.bufferBatches());
            // no position: a rank that starts with the job (wherever the job's token put it)
            want = t.hasNonNull("epoch") ? RankQueue.pos(t.path("epoch").asInt(0), t.path("g").asLong(0)) : -1;
            // {"ring": the ring it has mapped or null, "gen": the last generation it received}
            shm = t.path("shm").isObject() && shared != null ? t.path("shm") : null;
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
        SharedSlots ring;
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
            ring = ringFor(q, shm, Math.max(1, max));
            q.activeStreams++;
            q.lastActivity = System.currentTimeMillis();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            stream(q, Math.max(1, max), ring, listener);
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

    /**
     * The slots through which the ticket's rank takes its batches, or null (it did not ask, or
     * they cannot be made): its ring if the ticket names it (messages after the generation it saw
     * never reached it), else a new one of room for two streams. Under the lock.
     */
    @Nullable
    private SharedSlots ringFor(RankQueue q, @Nullable JsonNode shm, int max) {
        if (shm == null) {
            return null;
        }
        if (q.ring != null && q.ring.name().equals(shm.path("ring").asText(""))) {
            q.ring.reclaimAfter(shm.path("gen").asLong(0));
            return q.ring;
        }
        if (q.ring != null) {
            q.ring.close(); // a new reader of the rank: the last one's mappings outlive the files
            q.ring = null;
        }
        try {
            q.ring = shared.ring(q.rank, 2 * max + 2);
        } catch (IOException e) {
            LOG.warn("no shared-memory slots for rank {}: it takes the socket", q.rank, e);
        }
        return q.ring;
    }

    private void stream(RankQueue q, int max, @Nullable SharedSlots ring, ServerStreamListener listener)
            throws InterruptedException {
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
                SharedSlots.Written slot = ring == null ? null : toSlot(q, ring, root, listener);
                if (slot != null) {
                    // only the metadata goes through the socket; the rank maps the slot
                    listener.putMetadata(metadataBuffer(meta.substring(0, meta.length() - 1) + ",\"shm\":"
                            + slot.json(ring) + "}"));
                } else {
                    listener.putNext(metadataBuffer(meta));
                }
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

    /** The filled root written into a free slot of {@code ring}, or null: send it over the socket. */
    @Nullable
    private SharedSlots.Written toSlot(RankQueue q, SharedSlots ring, OutgoingRoot root, ServerStreamListener listener) {
        try {
            return ring.put(root.root(), SLOT_WAIT_MILLIS, () -> closed.getAsBoolean() || listener.isCancelled());
        } catch (IOException | RuntimeException e) {
            // the folder is full, say: this reader takes the socket from now on
            LOG.warn("cannot write batches of rank {} into shared memory: they go over the socket", q.rank, e);
            ring.close();
            return null;
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
