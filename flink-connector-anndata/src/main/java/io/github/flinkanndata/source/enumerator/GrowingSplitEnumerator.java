package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.CollectionGrowth;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.assigner.EpochSplits;
import io.github.flinkanndata.source.split.RowSpace;
import io.github.flinkanndata.source.assigner.SamplingPolicy;
import io.github.flinkanndata.source.assigner.SplitAssigner;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enumerator of a growing collection ({@link SourceSettings#growing()}). The plan starts with
 * a fixed gene space ({@link CollectionGrowth#start}); every {@code discoveryInterval} a {@link
 * CollectionWatcher} lists the watched directories and extends the plan off the coordinator
 * thread; the grown plan is installed here, and its new stores are sampled from the next epoch
 * boundary on ({@link SplitAssigner#switchAtNextEpoch}), so an epoch's splits stay a pure
 * function of the checkpoint. Readers learn of new stores by asking for the plan when a split
 * names a store theirs lacks. A reader that asks while the collection has no sample waits
 * instead of being told "no more splits": stores may still come.
 *
 * <p>It takes only {@link SamplingPolicy.Growable} policies: their splits follow from the stores'
 * row counts, so they can be re-derived for more stores (weighted sampling's label weights could
 * not).
 *
 * <p>It also bounds how far it runs ahead of the readers ({@link SplitsInFlight}): no split is
 * handed out more than {@value #MAX_EPOCHS_AHEAD} epoch after the oldest one a reader is still
 * emitting, so "the next epoch" a joined store is sampled from is never far ahead of what the job
 * emits. What sits downstream of the readers (network buffers, a Python operator's bundle, a
 * collect sink's batches) is the job's; see README, "Growing collections".
 */
@Internal
final class GrowingSplitEnumerator extends AnnDataSplitEnumerator {
    private static final Logger LOG = LoggerFactory.getLogger(GrowingSplitEnumerator.class);

    private final SamplingPolicy.Growable policy;
    private final CollectionWatcher watcher;
    private volatile long droppedGenes;

    GrowingSplitEnumerator(SplitEnumeratorContext<AnnDataSplit> context, SourceSettings settings,
            SamplingPolicy.Growable policy, AnnDataEnumState restored) {
        super(context, settings, restored);
        this.policy = policy;
        this.watcher = new CollectionWatcher(settings.watchDirectories());
        this.droppedGenes = restored.droppedGenes();
    }

    @Override
    public void start() {
        context.metricGroup().gauge("plannedStores", () -> plan == null ? -1 : plan.storeCount());
        context.metricGroup().gauge("droppedGenes", () -> droppedGenes);
        super.start();
    }

    @Override
    Prepared prepare() throws Exception {
        byte[] bytes = restored.plan();
        CollectionPlan plan;
        long dropped = restored.droppedGenes();
        if (bytes == null) {
            CollectionGrowth.Result r = CollectionGrowth.start(settings.collection(), settings.genes());
            plan = r.plan();
            for (String w : plan.warnings()) {
                LOG.warn("{}", w);
            }
            dropped = r.totalDroppedGenes();
            bytes = CollectionPlanCodec.toBytes(plan, false);
        } else {
            plan = CollectionPlanCodec.fromBytes(bytes);
        }
        int active = restored.activeStores() == AnnDataEnumState.ALL_STORES
                ? plan.storeCount() : restored.activeStores();
        if (active > plan.storeCount()) {
            throw new IOException("corrupt enumerator state: " + active + " active stores, the plan has "
                    + plan.storeCount());
        }
        EpochSplits pending = active < plan.storeCount() ? over(plan, plan.storeCount()) : null;
        return new Prepared(plan, bytes, over(plan, active), pending, dropped);
    }

    private EpochSplits over(CollectionPlan plan, int stores) {
        return policy.over(RowSpace.of(plan, stores));
    }

    @Override
    void onPlanned(Prepared prepared) {
        droppedGenes = prepared.droppedGenes();
        long period = settings.discoveryInterval().toMillis();
        context.callAsync(this::discover, this::onDiscovered, 0, period);
    }

    /** Lists the watched directories and grows the plan; runs on the worker thread. */
    @Nullable
    private CollectionWatcher.Growth discover() throws Exception {
        return watcher.discover(plan);
    }

    private void onDiscovered(@Nullable CollectionWatcher.Growth growth, @Nullable Throwable error) {
        if (error != null) {
            // a failed listing must not fail the job: the stores already planned are still fine
            LOG.warn("discovering new stores failed; trying again at the next interval", error);
            return;
        }
        if (growth == null) {
            return;
        }
        if (growth.baseStores() != plan.storeCount()) {
            LOG.warn("dropping a discovery made on an older plan ({} stores, now {})", growth.baseStores(),
                    plan.storeCount());
            return;
        }
        plan = growth.plan();
        planBytes = growth.bytes();
        droppedGenes += growth.droppedGenes();
        assigner.switchAtNextEpoch(over(growth.plan(), growth.plan().storeCount()));
        int oldest = inFlight.oldestEpoch();
        LOG.info("{} stores joined ({} in all, {} samples); sampled from the next epoch on, epoch {} (readers are"
                + " emitting epoch {}): {}", growth.added().size(), growth.plan().storeCount(), growth.plan().size(),
                assigner.switchEpoch(), oldest < 0 ? "none" : oldest, growth.added());
        assignPending();
    }

    /** A reader still emitting an older epoch holds the next one back: looked at again when a split ends. */
    @Override
    boolean mayAssign() {
        return !inFlight.behind(assigner.upcomingEpoch(), MAX_EPOCHS_AHEAD);
    }

    /** A growing collection without samples yet: wait for stores to join. */
    @Override
    boolean waitsForMoreSplits() {
        return true;
    }

    @Override
    int activeStores() {
        return assigner.activeStores();
    }

    @Override
    long droppedGenes() {
        return droppedGenes;
    }
}
