package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.assigner.EpochSplits;
import io.github.flinkanndata.source.assigner.SamplingPolicy;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * The enumerator of a fixed collection: it plans by opening every store's metadata (or takes the
 * plan from its checkpoint) and hands out the splits of any sampling policy; the policy prepares
 * itself, opening the stores only if it reads their labels (weighted sampling).
 */
@Internal
final class StaticSplitEnumerator extends AnnDataSplitEnumerator {
    private final SamplingPolicy policy;

    StaticSplitEnumerator(SplitEnumeratorContext<AnnDataSplit> context, SourceSettings settings,
            SamplingPolicy policy, AnnDataEnumState restored) {
        super(context, settings, restored);
        this.policy = policy;
    }

    @Override
    Prepared prepare() throws Exception {
        byte[] bytes = restored.plan();
        if (bytes == null) {
            try (AnnDataCollection c = AnnDataCollection.open(settings.collection(), stores)) {
                EpochSplits splits = policy.prepare(planned(c.plan(), c));
                return new Prepared(c.plan(), CollectionPlanCodec.toBytes(c.plan(), false), splits, null, 0);
            }
        }
        CollectionPlan plan = CollectionPlanCodec.fromBytes(bytes);
        int active = restored.activeStores();
        if (active != AnnDataEnumState.ALL_STORES && active != plan.storeCount()) {
            throw new IOException("the checkpoint is of a growing collection whose current epoch samples " + active
                    + " of " + plan.storeCount() + " stores: restore it with its watchDirectories");
        }
        return new Prepared(plan, bytes, policy.prepare(planned(plan, null)), null, 0);
    }

    /** The plan, with the stores of {@code open} or, if null, opened when the policy reads them. */
    private SamplingPolicy.PlannedCollection planned(CollectionPlan plan, @Nullable AnnDataCollection open) {
        return new SamplingPolicy.PlannedCollection() {
            @Override
            public CollectionPlan plan() {
                return plan;
            }

            @Override
            public <R> R read(SamplingPolicy.Read<R> read) throws AnnDataFormatException {
                if (open != null) {
                    return read.apply(open);
                }
                try (AnnDataCollection c = AnnDataCollection.open(plan, stores)) {
                    return read.apply(c);
                }
            }
        };
    }
}
