package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.RowSpace;
import io.github.flinkanndata.source.split.Seeds;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Shuffling at block-read speed: each epoch visits all blocks of {@code blockSize} consecutive
 * rows in a seeded random order; every {@code windowBlocks} consecutive blocks of that order form
 * one split, whose rows the reader emits in a seeded random permutation. Each sample appears
 * exactly once per epoch; I/O stays one range read per block.
 *
 * <p>The block order of an epoch is a Fisher-Yates permutation seeded by {@code (seed, epoch)}:
 * O(blocks) memory on the enumerator, kept for the current epoch only and recomputed after a
 * restore; it is never part of the checkpoint.
 */
@Internal
public final class BlockShuffledSplits implements EpochSplits {
    private final Blocks blocks;
    private final int windowBlocks;
    private final long seed;
    private int cachedEpoch = -1;
    private int[] cachedOrder;
    private long[] cachedOffsets; // per split of the cached epoch: its first sample's position

    public BlockShuffledSplits(RowSpace space, int blockSize, int windowBlocks, long seed) {
        this.blocks = new Blocks(space, blockSize);
        if (blocks.count() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many blocks (" + blocks.count() + "); use a larger block size");
        }
        this.windowBlocks = windowBlocks;
        this.seed = seed;
    }

    @Override
    public int stores() {
        return blocks.space().stores();
    }

    @Override
    public long splitsPerEpoch() {
        return (blocks.count() + windowBlocks - 1) / windowBlocks;
    }

    @Override
    public synchronized AnnDataSplit split(int epoch, long ordinal) {
        if (ordinal < 0 || ordinal >= splitsPerEpoch()) {
            throw new IndexOutOfBoundsException("split " + ordinal + " outside [0, " + splitsPerEpoch() + ")");
        }
        int[] order = order(epoch);
        List<Segment> segments = new ArrayList<>(windowBlocks);
        long first = ordinal * windowBlocks;
        long last = Math.min(blocks.count(), first + windowBlocks);
        for (long i = first; i < last; i++) {
            long b = order[(int) i];
            int store = blocks.storeOf(b);
            segments.add(Segment.range(store, blocks.from(store, b), blocks.to(store, b)));
        }
        return new AnnDataSplit(epoch, ordinal, segments, true, Seeds.mix(seed, epoch, ordinal, 1))
                .placed(cachedOffsets[(int) ordinal], blocks.space().total());
    }

    private int[] order(int epoch) {
        if (epoch != cachedEpoch) {
            cachedOrder = Seeds.permutation((int) blocks.count(), Seeds.mix(seed, epoch, 0));
            cachedOffsets = new long[(int) splitsPerEpoch()];
            long at = 0;
            for (int i = 0; i < cachedOrder.length; i++) {
                if (i % windowBlocks == 0) {
                    cachedOffsets[i / windowBlocks] = at;
                }
                int store = blocks.storeOf(cachedOrder[i]);
                at += blocks.to(store, cachedOrder[i]) - blocks.from(store, cachedOrder[i]);
            }
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }
}
