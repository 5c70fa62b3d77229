package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.RowSpace;
import io.github.flinkanndata.source.split.Segment;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * MappedCollection order: every store's kept rows in order, store after store, cut into splits of
 * {@code rowsPerSplit} rows that never cross a store boundary. Same order in every epoch.
 */
@Internal
public final class SequentialSplits implements EpochSplits {
    private final RowSpace space;
    private final int rowsPerSplit;
    private final long[] firstSplit; // per store, prefix of split counts

    public SequentialSplits(RowSpace space, int rowsPerSplit) {
        this.space = space;
        this.rowsPerSplit = rowsPerSplit;
        this.firstSplit = new long[space.stores() + 1];
        for (int s = 0; s < space.stores(); s++) {
            firstSplit[s + 1] = firstSplit[s] + (space.kept(s) + rowsPerSplit - 1) / rowsPerSplit;
        }
    }

    @Override
    public int stores() {
        return space.stores();
    }

    @Override
    public long splitsPerEpoch() {
        return firstSplit[space.stores()];
    }

    @Override
    public AnnDataSplit split(int epoch, long ordinal) {
        int store = storeOfSplit(ordinal);
        long from = (ordinal - firstSplit[store]) * rowsPerSplit;
        long to = Math.min(space.kept(store), from + rowsPerSplit);
        return new AnnDataSplit(epoch, ordinal, List.of(Segment.range(store, from, to)), false, 0)
                .placed(space.offset(store) + from, space.total());
    }

    private int storeOfSplit(long ordinal) {
        if (ordinal < 0 || ordinal >= splitsPerEpoch()) {
            throw new IndexOutOfBoundsException("split " + ordinal + " outside [0, " + splitsPerEpoch() + ")");
        }
        int i = Arrays.binarySearch(firstSplit, ordinal);
        if (i < 0) {
            return -i - 2;
        }
        while (firstSplit[i + 1] == ordinal) {
            i++; // stores without splits
        }
        return i;
    }
}
