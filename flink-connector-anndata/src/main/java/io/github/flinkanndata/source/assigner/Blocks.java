package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.RowSpace;
import java.util.Arrays;

/**
 * The stores' kept rows cut into blocks of {@code blockSize} consecutive positions (the last block
 * of a store may be shorter); blocks never cross a store boundary. A block is the unit of I/O of
 * the shuffled policies: it is read with one range read.
 */
final class Blocks {
    private final RowSpace space;
    private final int blockSize;
    private final long[] firstBlock; // per store, prefix of block counts

    Blocks(RowSpace space, int blockSize) {
        this.space = space;
        this.blockSize = blockSize;
        this.firstBlock = new long[space.stores() + 1];
        for (int s = 0; s < space.stores(); s++) {
            firstBlock[s + 1] = firstBlock[s] + (space.kept(s) + blockSize - 1) / blockSize;
        }
    }

    long count() {
        return firstBlock[space.stores()];
    }

    int blockSize() {
        return blockSize;
    }

    RowSpace space() {
        return space;
    }

    int storeOf(long block) {
        int i = Arrays.binarySearch(firstBlock, block);
        if (i < 0) {
            return -i - 2;
        }
        while (firstBlock[i + 1] == block) {
            i++;
        }
        return i;
    }

    /** First kept position of {@code block} inside its store. */
    long from(int store, long block) {
        return (block - firstBlock[store]) * blockSize;
    }

    long to(int store, long block) {
        return Math.min(space.kept(store), from(store, block) + blockSize);
    }

    /** The block holding global index {@code g}. */
    long blockOf(long g) {
        int s = space.storeOf(g);
        return firstBlock[s] + (g - space.offset(s)) / blockSize;
    }
}
