package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Hands out the splits of consecutive epochs in the order a sampling policy ({@link EpochSplits})
 * dictates, splits handed back after a failure first.
 *
 * <p>Its state is {@code (epoch, cursor)} plus the handed-back splits: O(1) in the number of rows.
 * An epoch ends when its last split has been handed out; the source is finished after {@code
 * epochs} epochs, or never when {@code epochs} is {@link #UNBOUNDED}.
 *
 * <p>A growing collection hands over a policy over more stores with {@link #switchAtNextEpoch}:
 * it takes over at the next epoch boundary (or at once if no split of the current epoch has been
 * handed out yet), so the splits of an epoch stay a pure function of {@code (policy, epoch,
 * cursor)} and a restore reproduces them.
 *
 * <p>Not thread-safe: used by the enumerator on the coordinator thread only.
 */
@Internal
public final class SplitAssigner {
    public static final int UNBOUNDED = -1;

    private EpochSplits policy;
    @Nullable private EpochSplits pending;
    private final int epochs;
    private final Deque<AnnDataSplit> returned = new ArrayDeque<>();
    private int epoch;
    private long cursor;

    public SplitAssigner(EpochSplits policy, int epochs, int epoch, long cursor, Collection<AnnDataSplit> returned) {
        if (epochs != UNBOUNDED && epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0 or UNBOUNDED, was " + epochs);
        }
        this.policy = policy;
        this.epochs = epochs;
        this.epoch = epoch;
        this.cursor = cursor;
        this.returned.addAll(returned);
    }

    /**
     * An assigner that starts at sample {@code position} of {@code epoch}'s order (splits in
     * ordinal order, each in its emission order): the split holding that sample is handed out first,
     * skipping the samples before it, then the splits after it. A position at or past the end of the
     * epoch starts at the next epoch.
     */
    public static SplitAssigner startingAt(EpochSplits policy, int epochs, int epoch, long position) {
        long perEpoch = policy.splitsPerEpoch();
        for (long o = 0; o < perEpoch; o++) {
            AnnDataSplit split = policy.split(epoch, o);
            long offset = split.epochOffset();
            if (offset == AnnDataSplit.UNPLACED) {
                throw new IllegalStateException("the sampling policy does not place its splits: cannot start mid-epoch");
            }
            if (position < offset + split.size()) {
                int skip = (int) Math.max(0, position - offset);
                return skip == 0 ? new SplitAssigner(policy, epochs, epoch, o, List.of())
                        : new SplitAssigner(policy, epochs, epoch, o + 1, List.of(split.withSkip(skip)));
            }
        }
        return new SplitAssigner(policy, epochs, epoch + 1, 0, List.of());
    }

    /**
     * The next split, or null when there will be none: all epochs handed out, or the collection is
     * empty (an unbounded source over zero samples would otherwise spin through empty epochs).
     */
    @Nullable
    public AnnDataSplit next() {
        if (!returned.isEmpty()) {
            return returned.pollFirst();
        }
        if (pending != null && (cursor == 0 || cursor >= policy.splitsPerEpoch())) {
            if (cursor > 0) {
                epoch++;
                cursor = 0;
            }
            policy = pending;
            pending = null;
        }
        long perEpoch = policy.splitsPerEpoch();
        if (perEpoch == 0) {
            return null;
        }
        if (cursor >= perEpoch) {
            epoch++;
            cursor = 0;
        }
        if (epochs != UNBOUNDED && epoch >= epochs) {
            return null;
        }
        return policy.split(epoch, cursor++);
    }

    /**
     * The epoch of the split {@link #next()} would hand out now, without handing it out; -1 when it
     * would hand out none.
     */
    public int upcomingEpoch() {
        if (!returned.isEmpty()) {
            return returned.peekFirst().epoch();
        }
        EpochSplits p = policy;
        int e = epoch;
        long c = cursor;
        if (pending != null && (c == 0 || c >= p.splitsPerEpoch())) {
            if (c > 0) {
                e++;
                c = 0;
            }
            p = pending;
        }
        long perEpoch = p.splitsPerEpoch();
        if (perEpoch == 0) {
            return -1;
        }
        if (c >= perEpoch) {
            e++;
        }
        return epochs != UNBOUNDED && e >= epochs ? -1 : e;
    }

    /**
     * The first epoch a policy passed to {@link #switchAtNextEpoch} now would sample: the current
     * one while none of its splits has been handed out, else the next.
     */
    public int switchEpoch() {
        return cursor == 0 ? epoch : epoch + 1;
    }

    /**
     * From the next epoch boundary on, hand out the splits of {@code next} (a policy over more
     * stores); replaces a policy passed before that has not taken over yet.
     */
    public void switchAtNextEpoch(EpochSplits next) {
        this.pending = next;
    }

    /** Stores the policy of the current epoch samples. */
    public int activeStores() {
        return policy.stores();
    }

    /** Splits whose reader failed before a checkpoint covered them: they are handed out first. */
    public void addBack(Collection<AnnDataSplit> splits) {
        List<AnnDataSplit> copy = new ArrayList<>(splits);
        for (int i = copy.size() - 1; i >= 0; i--) {
            returned.addFirst(copy.get(i));
        }
    }

    /** The epoch of the split handed out last (0 before the first). */
    public int epoch() {
        return epoch;
    }

    /** Splits of {@link #epoch()} handed out so far. */
    public long cursor() {
        return cursor;
    }

    public long splitsPerEpoch() {
        return policy.splitsPerEpoch();
    }

    public List<AnnDataSplit> returned() {
        return new ArrayList<>(returned);
    }

    /** Splits not yet handed out in bounded mode, -1 when unbounded. */
    public long remaining() {
        if (epochs == UNBOUNDED) {
            return -1;
        }
        long perEpoch = policy.splitsPerEpoch();
        long left = Math.max(0, (long) (epochs - epoch) * perEpoch - cursor);
        return returned.size() + (perEpoch == 0 ? 0 : left);
    }
}
