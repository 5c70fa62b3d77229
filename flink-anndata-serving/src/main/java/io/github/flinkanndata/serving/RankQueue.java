package io.github.flinkanndata.serving;

import io.github.flinkanndata.source.record.BatchPiece;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The whole batches waiting for one rank, in order, and where the rank stands. Guarded by the
 * writer's lock.
 *
 * <p>A rank's batches are those with {@code g ≡ rank (mod W)} and {@code g < floor(G / W) * W},
 * epoch after epoch. Positions pack {@code (epoch, g)} into a long that orders like the pair.
 * {@link #ackPos}: the first position the rank still needs (what its last ticket named): anything
 * below is dropped, on arrival too, so a rank never gets a batch twice. {@link #sendPos}: the next
 * position to send; batches in {@code [ackPos, sendPos)} were sent and are kept until a ticket
 * acknowledges them, so a failover after a send loses nothing the rank did not receive.
 */
final class RankQueue {
    final int rank;
    final int world;
    /** Whole batches by position, each as its pieces in cell order. */
    final TreeMap<Long, List<BatchPiece>> items = new TreeMap<>();
    /** Batches per epoch, learnt from the batches. */
    private final Map<Integer, Long> batchesInEpoch = new HashMap<>();
    long ackPos;
    long sendPos;
    long lastActivity;
    int activeStreams;
    boolean endSent;
    /**
     * The Arrow root of this rank's last finished stream, for the next stream: its buffers are
     * megabytes, and allocating them anew for every stream (a stream carries a few batches) took
     * the serving thread half its time creating and zeroing Netty memory chunks.
     */
    OutgoingRoot spareRoot;
    /** The shared-memory slots of the rank's current reader on this host, or null. */
    SharedSlots ring;

    RankQueue(int rank, int world, int startEpoch, long startNext, long now) {
        this.rank = rank;
        this.world = world;
        this.ackPos = pos(startEpoch, roundUp(startNext));
        this.sendPos = ackPos;
        this.lastActivity = now;
    }

    static long pos(int epoch, long g) {
        return ((long) epoch << 40) | g;
    }

    static int epochOf(long pos) {
        return (int) (pos >>> 40);
    }

    static long batchOf(long pos) {
        return pos & ((1L << 40) - 1);
    }

    /** The smallest g >= {@code g} with {@code g ≡ rank (mod W)}. */
    long roundUp(long g) {
        long r = Math.floorMod(g, (long) world);
        return r <= rank ? g + (rank - r) : g + (world - r) + rank;
    }

    /** Whether a batch of an epoch of {@code G} batches is one this rank serves (not the dropped remainder). */
    boolean served(long g, long batches) {
        return g % world == rank && g < (batches / world) * world;
    }

    void learn(int epoch, long batches) {
        batchesInEpoch.put(epoch, batches);
    }

    /** {@code p} moved past the end of its epoch's share to the next epoch's first batch, when known. */
    long normalize(long p) {
        int e = epochOf(p);
        long g = roundUp(batchOf(p));
        Long batches = batchesInEpoch.get(e);
        if (batches != null && g >= (batches / world) * world) {
            return pos(e + 1, rank);
        }
        return pos(e, g);
    }

    /** The position after {@code p} in this rank's sequence. */
    long next(long p) {
        return normalize(pos(epochOf(p), batchOf(p) + world));
    }

    /** The batch at the rank's next position, or null. */
    List<BatchPiece> head() {
        sendPos = normalize(sendPos);
        return items.get(sendPos);
    }

    /** Whether the rank can drain the queue without new input: its next batch is here, or sent batches await an ack. */
    boolean canProgress() {
        return head() != null || sendPos > ackPos;
    }

    /** The rank asks for {@code p}: everything before it is acknowledged. */
    void acknowledge(long p) {
        ackPos = normalize(p);
        sendPos = ackPos;
        items.headMap(ackPos).clear();
    }

    /** The spare root if it has {@code schema} (it is then no longer spare), else null. */
    OutgoingRoot takeRoot(Schema schema) {
        OutgoingRoot r = spareRoot;
        if (r == null || !r.root().getSchema().equals(schema)) {
            return null;
        }
        spareRoot = null;
        return r;
    }

    /** Keeps {@code root} for the next stream, or closes it when one is kept already or {@code keep} is false. */
    void returnRoot(OutgoingRoot root, boolean keep) {
        if (keep && spareRoot == null) {
            spareRoot = root;
        } else {
            root.close();
        }
    }

    /** Closes the spare root and the shared-memory slots, if any. */
    void closeTransport() {
        if (spareRoot != null) {
            spareRoot.close();
            spareRoot = null;
        }
        if (ring != null) {
            ring.close();
            ring = null;
        }
    }
}
