package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.AnnDataFormatException;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import io.github.flinkanndata.source.split.SplitOrder;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Walks one split in emission order, from its {@code skip} position on, handing out batches of
 * decoded samples.
 *
 * <p>A plain split (one ascending run, no draws, no permutation) is decoded batch by batch with
 * one range read each, so memory stays at one batch. A shuffled or weighted split is decoded
 * whole — one range read per segment — then put into emission order: draws picked, rows permuted
 * by the split's seed. The order depends only on the split, so a restored split resumes at
 * exactly the sample after the last one emitted.
 */
@Internal
final class SplitCursor {
    private final AnnDataSplit split;
    private final boolean sparse;
    private int position;
    @Nullable private List<Sample> ordered;

    SplitCursor(AnnDataSplit split, boolean sparse) {
        this.split = split;
        this.sparse = sparse;
        this.position = split.skip();
    }

    AnnDataSplit split() {
        return split;
    }

    boolean done() {
        return position >= split.size();
    }

    /** The next at most {@code max} samples in emission order. */
    List<Sample> next(int max, CollectionPlan plan, StoreHandles stores) throws AnnDataFormatException {
        int n = Math.min(max, split.size() - position);
        List<Sample> out;
        if (isPlain()) {
            Segment s = split.segments().get(0);
            out = stores.decoder(plan, s.store()).decode(s.from() + position, s.from() + position + n, sparse);
        } else {
            if (ordered == null) {
                ordered = materialise(plan, stores);
            }
            out = new ArrayList<>(ordered.subList(position, position + n));
        }
        position += n;
        if (done()) {
            ordered = null;
        }
        return out;
    }

    private boolean isPlain() {
        List<Segment> segments = split.segments();
        return !split.permuted() && segments.size() == 1 && segments.get(0).draws() == null;
    }

    private List<Sample> materialise(CollectionPlan plan, StoreHandles stores) throws AnnDataFormatException {
        List<Sample> all = new ArrayList<>(split.size());
        for (Segment s : split.segments()) {
            List<Sample> run = stores.decoder(plan, s.store()).decode(s.from(), s.to(), sparse);
            int[] draws = s.draws();
            if (draws == null) {
                all.addAll(run);
            } else {
                for (int d : draws) {
                    all.add(run.get(d));
                }
            }
        }
        int[] perm = SplitOrder.permutation(split);
        if (perm == null) {
            return all;
        }
        List<Sample> out = new ArrayList<>(all.size());
        for (int p : perm) {
            out.add(all.get(p));
        }
        return out;
    }
}
