package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.RowSpace;
import io.github.flinkanndata.source.split.Seeds;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.annotation.Internal;

/**
 * Weighted sampling with replacement (a {@code WeightedRandomSampler} over the label weights),
 * drawn block-wise so that I/O stays contiguous. Each epoch draws as many samples as the
 * collection has; every {@code windowBlocks * blockSize} draws form one split.
 *
 * <p>A draw picks a sample {@code g} with probability {@code w_g / W}, then draws the next {@code
 * blockSize - 1} samples from {@code g}'s block, each with probability proportional to its weight
 * within the block. The marginal probability of every draw is still exactly {@code w_g / W}
 * (block chosen with probability {@code W_b / W}, sample within it {@code w_g / W_b}); draws that
 * share a block are read with one range read.
 *
 * <p>Draws are seeded by {@code (seed, epoch, ordinal)}. The prefix sums of the weights (one double
 * per sample) are derived from the plan's labels and are never checkpointed.
 */
@Internal
public final class WeightedSplits implements EpochSplits {
    private final Blocks blocks;
    private final int windowBlocks;
    private final long seed;
    private final double[] prefix; // prefix[g] = sum of weights of samples < g

    public WeightedSplits(RowSpace space, int blockSize, int windowBlocks, long seed, double[] weights) {
        if (weights.length != space.total()) {
            throw new IllegalArgumentException(
                    weights.length + " weights for " + space.total() + " samples");
        }
        this.blocks = new Blocks(space, blockSize);
        this.windowBlocks = windowBlocks;
        this.seed = seed;
        this.prefix = new double[weights.length + 1];
        for (int g = 0; g < weights.length; g++) {
            if (!(weights[g] >= 0) || Double.isInfinite(weights[g])) {
                throw new IllegalArgumentException("weight of sample " + g + " is " + weights[g]);
            }
            prefix[g + 1] = prefix[g] + weights[g];
        }
        if (weights.length > 0 && !(prefix[weights.length] > 0)) {
            throw new IllegalArgumentException("all sample weights are zero");
        }
    }

    private long drawsPerSplit() {
        return (long) windowBlocks * blocks.blockSize();
    }

    @Override
    public int stores() {
        return blocks.space().stores();
    }

    @Override
    public long splitsPerEpoch() {
        long n = blocks.space().total();
        return (n + drawsPerSplit() - 1) / drawsPerSplit();
    }

    @Override
    public AnnDataSplit split(int epoch, long ordinal) {
        if (ordinal < 0 || ordinal >= splitsPerEpoch()) {
            throw new IndexOutOfBoundsException("split " + ordinal + " outside [0, " + splitsPerEpoch() + ")");
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch, ordinal, 2));
        long remaining = Math.min(drawsPerSplit(), blocks.space().total() - ordinal * drawsPerSplit());
        List<Segment> segments = new ArrayList<>(windowBlocks);
        RowSpace space = blocks.space();
        while (remaining > 0) {
            long g = locate(rng.nextDouble() * prefix[prefix.length - 1], 0, prefix.length - 1);
            long b = blocks.blockOf(g);
            int store = space.storeOf(g);
            long from = blocks.from(store, b);
            long to = blocks.to(store, b);
            long gFrom = space.offset(store) + from;
            long gTo = space.offset(store) + to;
            int m = (int) Math.min(remaining, blocks.blockSize());
            int[] draws = new int[m];
            draws[0] = (int) (g - gFrom);
            for (int i = 1; i < m; i++) {
                double u = prefix[(int) gFrom] + rng.nextDouble() * (prefix[(int) gTo] - prefix[(int) gFrom]);
                draws[i] = (int) (locate(u, gFrom, gTo) - gFrom);
            }
            segments.add(new Segment(store, from, to, draws));
            remaining -= m;
        }
        return new AnnDataSplit(epoch, ordinal, segments, true, Seeds.mix(seed, epoch, ordinal, 3))
                .placed(ordinal * drawsPerSplit(), space.total());
    }

    /** The sample g in [lo, hi) with prefix[g] <= u < prefix[g+1], skipping zero-weight samples. */
    private long locate(double u, long lo, long hi) {
        int i = Arrays.binarySearch(prefix, (int) lo, (int) hi + 1, u);
        long g = i >= 0 ? i : -i - 2;
        g = Math.max(lo, Math.min(hi - 1, g));
        while (g + 1 < hi && prefix[(int) g + 1] <= u) {
            g++;
        }
        while (g > lo && prefix[(int) g + 1] == prefix[(int) g]) {
            g--; // landed on a zero-weight sample at an exact boundary: step back to a weighted one
        }
        return g;
    }
}
