package io.github.flinkanndata.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.flinkanndata.source.record.BatchToken;
import io.github.flinkanndata.source.record.BatchAssembler;
import io.github.flinkanndata.source.record.BatchPiece;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.annotation.Nullable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask of the serving sink: assembles the pieces routed to it into whole batches, queues
 * them per rank (bounded), and serves them to the ranks over an Arrow Flight server of its own
 * ({@link RankStreams} answers the ranks' calls), announced in {@code
 * <endpointDir>/endpoint-<subtask>.json}.
 *
 * <p>A rank pulls with {@code DoGet}; its ticket (JSON) names {@code rank}, {@code world}, and the
 * {@code epoch} and {@code g} of the first batch it still needs (none: where the job started),
 * optionally {@code max} (batches in this stream). The ticket acknowledges everything before that position; the stream carries the
 * rank's next batches in order, one Arrow record batch each, and ends after {@code max} batches,
 * when the next batch is not here yet (having sent some), or when the schema changes. After the
 * last batch of the job, a stream ends with a metadata-only message {@code {"end":true}}.
 *
 * <p>A rank that received the end writes {@code <endpointDir>/done-<rank>.json} naming the job's
 * {@link ServingOptions#runId() run} before it leaves: its final acknowledgement, which outlives a
 * failover. A writer restored after the rank left drops the rank's replayed batches and does not
 * wait for it (without the file it would wait for the rank until the idle timeout).
 *
 * <p>The writer never blocks the task for long: while it waits (for room in a rank's queue, or at
 * the end of the input for the ranks to finish) it calls {@code runMails} every {@value
 * #WAIT_MILLIS} ms, which runs the task's pending mails, checkpoints among them. A batch it waits
 * to queue is part of the state a checkpoint takes meanwhile.
 */
final class ServingWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ServingWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Most whole batches any rank had queued at once in this JVM (for tests of the bound). */
    static final AtomicInteger HIGH_WATER = new AtomicInteger();
    /** How long the writer waits for a change before it runs the task's mails. */
    static final long WAIT_MILLIS = 20;

    private final ServingOptions options;
    private final int subtask;
    private final int parallelism;
    private final BatchAssembler assembler = new BatchAssembler();
    private final Map<Integer, RankQueue> ranks = new TreeMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final BufferAllocator allocator;
    private final FlightServers servers;
    /** Where ranks on this host receive their batches without a socket, or null. */
    @Nullable private final SharedMemory shared;
    private final Path endpointFile;
    private final Path endpointDir;
    private final Runnable runMails;
    /** The whole batch {@link #write} waits to queue, or null. */
    private List<BatchPiece> inHand;
    private volatile boolean inputEnded;
    private volatile boolean closed;

    ServingWriter(ServingOptions options, int subtask, int parallelism, int attempt,
            Collection<BatchPiece> restored, Runnable runMails) throws IOException {
        this.options = options;
        this.runMails = runMails;
        this.subtask = subtask;
        this.parallelism = parallelism;
        BatchToken start = options.startToken();
        long now = System.currentTimeMillis();
        for (int r = subtask; r < options.worldSize(); r += parallelism) {
            ranks.put(r, new RankQueue(r, options.worldSize(), start == null ? 0 : start.epoch(),
                    start == null ? 0 : start.next(), now));
        }
        for (BatchPiece p : restored) {
            RankQueue q = queueOf(p);
            List<BatchPiece> whole = assembler.addPart(p);
            if (whole != null) {
                q.learn(p.epoch(), p.batchesInEpoch());
                q.items.put(RankQueue.pos(p.epoch(), p.batch()), whole);
            }
        }
        this.endpointDir = Paths.get(options.endpointDir()).toAbsolutePath();
        this.endpointFile = endpointDir.resolve("endpoint-" + subtask + ".json");
        this.allocator = new RootAllocator();
        this.shared = SharedMemory.open(options, subtask, attempt);
        try {
            this.servers = FlightServers.start(options, subtask, attempt, endpointDir, allocator,
                    new RankStreams(options, allocator, shared, lock, changed, ranks, () -> closed, () -> inputEnded));
        } catch (IOException | RuntimeException e) {
            if (shared != null) {
                shared.close();
            }
            allocator.close();
            throw e;
        }
        announce(attempt);
        // the idle clock of each rank starts when it can find the server (starting it can take seconds)
        long announced = System.currentTimeMillis();
        ranks.values().forEach(q -> q.lastActivity = announced);
        LOG.info("serving ranks {} of {} at {}", ranks.keySet(), options.worldSize(), servers);
    }

    private void announce(int attempt) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        servers.describe(node);
        if (shared != null) {
            shared.describe(node);
        }
        node.putPOJO("ranks", new ArrayList<>(ranks.keySet()));
        node.put("world", options.worldSize());
        node.put("subtask", subtask);
        node.put("attempt", attempt);
        node.put("run", options.runId());
        Files.createDirectories(endpointFile.getParent());
        Path tmp = endpointFile.resolveSibling(".endpoint-" + subtask + ".json.tmp");
        Files.write(tmp, JSON.writeValueAsBytes(node));
        Files.move(tmp, endpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private RankQueue queueOf(BatchPiece p) {
        int rank = (int) (p.batch() % options.worldSize());
        RankQueue q = ranks.get(rank);
        if (q == null) {
            throw new IllegalStateException("batch " + p.batch() + " of rank " + rank + " reached sink subtask "
                    + subtask + " of " + parallelism + ", which serves ranks " + ranks.keySet()
                    + ": route pieces with partitionCustom((rank, n) -> rank % n, piece -> batch % W), and keep the"
                    + " sink's parallelism when restoring");
        }
        return q;
    }

    /**
     * Takes a piece; queues its batch when whole. While the rank's queue is full and the rank can
     * drain it, waits with the batch in hand, running the task's mails.
     */
    void write(BatchPiece piece) throws InterruptedException {
        RankQueue q = queueOf(piece);
        // the pieces are served as they are, without joining them into one batch first
        List<BatchPiece> whole = assembler.addPart(piece);
        if (whole == null || !q.served(piece.batch(), piece.batchesInEpoch())) {
            return; // incomplete, or the epoch's remainder that no rank gets
        }
        long pos = RankQueue.pos(piece.epoch(), piece.batch());
        lock.lock();
        try {
            q.learn(piece.epoch(), piece.batchesInEpoch());
            inHand = whole;
        } finally {
            lock.unlock();
        }
        try {
            while (!offer(q, pos, whole)) {
                runMails.run();
            }
        } finally {
            lock.lock();
            try {
                inHand = null;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Queues the batch at {@code pos} unless the rank has it already, has left, or its queue is
     * full while it can drain it; then waits up to {@link #WAIT_MILLIS} for a change and returns
     * false. A full queue whose next batch has not arrived takes more (batches arrive out of order
     * from parallel readers).
     */
    private boolean offer(RankQueue q, long pos, List<BatchPiece> whole) throws InterruptedException {
        lock.lock();
        try {
            if (pos < q.ackPos || q.endSent) {
                return true; // the rank has it already (a replay after a failover), or has left after the end
            }
            if (q.items.size() >= options.bufferBatches() && q.canProgress() && !closed) {
                if (ended(q)) {
                    return true; // replays for a rank that received the end before a failover
                }
                checkIdle(q, System.currentTimeMillis());
                changed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                return false;
            }
            q.items.put(pos, whole);
            HIGH_WATER.accumulateAndGet(q.items.size(), Math::max);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the rank was told the stream ended: by this writer, or by one before a failover, as
     * its {@code done-<rank>.json} of this run says (then its queue, replays only, is dropped).
     */
    private boolean ended(RankQueue q) {
        if (!q.endSent && doneFileOf(q.rank)) {
            LOG.info("rank {} received the end before a failover ({}): not waiting for it", q.rank,
                    doneFile(q.rank));
            q.endSent = true;
            q.items.clear();
            changed.signalAll();
        }
        return q.endSent;
    }

    private Path doneFile(int rank) {
        return endpointDir.resolve("done-" + rank + ".json");
    }

    private boolean doneFileOf(int rank) {
        Path f = doneFile(rank);
        if (!Files.isRegularFile(f)) {
            return false;
        }
        try {
            JsonNode n = JSON.readTree(f.toFile());
            return options.runId().equals(n.path("run").asText()) && n.path("world").asInt(-1) == options.worldSize();
        } catch (IOException e) {
            return false; // being written (ranks move a finished file into place) or not ours
        }
    }

    private void checkIdle(RankQueue q, long now) {
        if (q.activeStreams == 0 && now - q.lastActivity > options.idleTimeoutMillis()) {
            throw new SuppressRestartsException(new IllegalStateException("rank " + q.rank + " of "
                    + options.worldSize() + " has not pulled a batch for " + options.idleTimeoutMillis() / 1000
                    + " s (the idle timeout): the trainer is gone, so the serving job stops"));
        }
    }

    /** The input ended: serves until every rank has been told the stream ended, running the task's mails. */
    void endOfInput() throws InterruptedException {
        lock.lock();
        try {
            if (assembler.openBatches() > 0) {
                throw new IllegalStateException("the input ended with " + assembler.openBatches()
                        + " incomplete batches: " + assembler.pending());
            }
            inputEnded = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        while (!allEnded()) {
            runMails.run();
        }
    }

    /** Whether every rank was told the stream ended (or the writer closed); else waits up to {@link #WAIT_MILLIS}. */
    private boolean allEnded() throws InterruptedException {
        lock.lock();
        try {
            if (closed) {
                return true;
            }
            boolean done = true;
            long now = System.currentTimeMillis();
            for (RankQueue q : ranks.values()) {
                if (!ended(q)) {
                    done = false;
                    checkIdle(q, now);
                }
            }
            if (!done) {
                changed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            return done;
        } finally {
            lock.unlock();
        }
    }

    /** The state: pieces of incomplete batches, the batch in hand, and every batch queued. */
    List<BatchPiece> snapshotState() {
        lock.lock();
        try {
            List<BatchPiece> state = new ArrayList<>(assembler.pending());
            if (inHand != null) {
                state.addAll(inHand);
            }
            for (RankQueue q : ranks.values()) {
                q.items.values().forEach(state::addAll);
            }
            return state;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        servers.close();
        lock.lock();
        try {
            ranks.values().forEach(RankQueue::closeTransport);
        } finally {
            lock.unlock();
        }
        if (shared != null) {
            shared.close();
        }
        allocator.close();
    }
}
