package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionGrowth;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.source.SamplingMode;
import io.github.flinkanndata.source.SourceSettings;
import io.github.flinkanndata.source.assigner.BlockShuffledSplits;
import io.github.flinkanndata.source.assigner.EpochSplits;
import io.github.flinkanndata.source.assigner.RowSpace;
import io.github.flinkanndata.source.assigner.SequentialSplits;
import io.github.flinkanndata.source.assigner.SplitAssigner;
import io.github.flinkanndata.source.assigner.WeightedSplits;
import io.github.flinkanndata.source.cache.StoreResolvers;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JobManager side of the source. It plans the collection once — opening every store's
 * metadata off the coordinator thread ({@code callAsync}): row counts after the filter, joint
 * genes, merged categories and encoders — and keeps the plan in its checkpoint; a restore never
 * plans again. It then hands out splits when readers ask (pull-based, so fast readers take more
 * work) in the order of the sampling policy, and answers every reader's plan request.
 *
 * <p>Everything but planning and discovery runs on the coordinator thread. A reader that asks
 * when no split is left is told "no more splits" once per registration.
 *
 * <p><b>Growing collections</b> ({@link SourceSettings#growing()}): the plan starts with a fixed
 * gene space ({@link CollectionGrowth#start}); every {@code discoveryInterval} a {@link
 * CollectionWatcher} lists the watched directories and extends the plan off the coordinator
 * thread; the grown plan is installed here, and its new stores are sampled from the next epoch
 * boundary on ({@link SplitAssigner#switchAtNextEpoch}), so an epoch's splits stay a pure
 * function of the checkpoint. Readers learn of new stores by asking for the plan when a split
 * names a store theirs lacks. A reader that asks while the collection has no sample waits
 * instead of being told "no more splits": stores may still come.
 *
 * <p>A growing collection also bounds how far the enumerator runs ahead of the readers ({@link
 * SplitsInFlight}): no split is handed out more than {@value #MAX_EPOCHS_AHEAD} epoch after the
 * oldest one a reader is still emitting, so "the next epoch" a joined store is sampled from is
 * never far ahead of what the job emits. What sits downstream of the readers (network buffers,
 * a Python operator's bundle, a collect sink's batches) is the job's; see README, "Growing
 * collections".
 */
@Internal
public final class AnnDataSplitEnumerator implements SplitEnumerator<AnnDataSplit, AnnDataEnumState> {
    private static final Logger LOG = LoggerFactory.getLogger(AnnDataSplitEnumerator.class);
    /** How many epochs a growing collection's enumerator may be ahead of the oldest split being read. */
    static final int MAX_EPOCHS_AHEAD = 1;

    private final SplitEnumeratorContext<AnnDataSplit> context;
    private final SourceSettings settings;
    private final AnnDataEnumState restored;
    private final StoreResolver stores;
    private final LinkedHashSet<Integer> waitingForSplits = new LinkedHashSet<>();
    private final LinkedHashSet<Integer> waitingForPlan = new LinkedHashSet<>();
    private final Set<Integer> toldNoMoreSplits = new HashSet<>();
    /** Subtasks whose reader registered since this enumerator was created (or restored). */
    private final Set<Integer> readersSeen = new HashSet<>();
    private final List<AnnDataSplit> returnedBeforePlan = new ArrayList<>();
    private final SplitsInFlight inFlight = new SplitsInFlight();
    @Nullable private byte[] planBytes;
    @Nullable private SplitAssigner assigner;
    // the current plan, read by the discovery call on the worker thread
    @Nullable private volatile CollectionPlan plan;
    @Nullable private final CollectionWatcher watcher;
    private volatile long droppedGenes;

    public AnnDataSplitEnumerator(
            SplitEnumeratorContext<AnnDataSplit> context, SourceSettings settings, AnnDataEnumState restored) {
        this.context = context;
        this.settings = settings;
        this.restored = restored;
        this.watcher = settings.growing() ? new CollectionWatcher(settings.watchDirectories()) : null;
        this.droppedGenes = restored.droppedGenes();
        // remote stores are read in place for planning (metadata only), or in copy mode copied into
        // this node's cache (the coordinator has no Flink configuration at hand, so the default
        // folder is under java.io.tmpdir)
        this.stores = StoreResolvers.create(settings.storeCache(), System.getProperty("java.io.tmpdir"),
                context.metricGroup());
    }

    @Override
    public void start() {
        context.metricGroup().setUnassignedSplitsGauge(() -> assigner == null ? -1L : assigner.remaining());
        context.metricGroup().gauge("currentEpoch", () -> assigner == null ? -1 : assigner.epoch());
        context.metricGroup().gauge("epochProgress", () -> assigner == null || assigner.splitsPerEpoch() == 0
                ? 0.0 : (double) assigner.cursor() / assigner.splitsPerEpoch());
        context.metricGroup().gauge("splitsInFlight", inFlight::count);
        context.metricGroup().gauge("epochsAhead", this::epochsAhead);
        if (watcher != null) {
            context.metricGroup().gauge("plannedStores", () -> plan == null ? -1 : plan.storeCount());
            context.metricGroup().gauge("droppedGenes", () -> droppedGenes);
        }
        context.callAsync(this::prepare, this::onPrepared);
    }

    /** The plan and the sampling policy; runs on a worker thread (store I/O). */
    private Prepared prepare() throws Exception {
        long start = System.nanoTime();
        byte[] bytes = restored.plan();
        CollectionPlan plan = bytes == null ? null : CollectionPlanCodec.fromBytes(bytes);
        double[] weights = null;
        boolean weighted = settings.sampling() == SamplingMode.WEIGHTED;
        long dropped = restored.droppedGenes();
        if (plan == null && settings.growing()) {
            CollectionGrowth.Result r = CollectionGrowth.start(settings.collection(), settings.genes());
            plan = r.plan();
            for (String w : plan.warnings()) {
                LOG.warn("{}", w);
            }
            dropped = r.totalDroppedGenes();
            bytes = CollectionPlanCodec.toBytes(plan, false);
        } else if (plan == null || weighted) {
            try (AnnDataCollection c = plan == null
                    ? AnnDataCollection.open(settings.collection(), stores) : AnnDataCollection.open(plan, stores)) {
                plan = c.plan();
                if (weighted) {
                    // derived from the stores' labels, so never checkpointed: recomputed after a restore
                    weights = c.labelWeights(settings.weightKeys(), settings.weightScaler());
                }
            }
            bytes = CollectionPlanCodec.toBytes(plan, false);
        }
        int active = restored.activeStores() == AnnDataEnumState.ALL_STORES
                ? plan.storeCount() : restored.activeStores();
        if (active > plan.storeCount()) {
            throw new java.io.IOException("corrupt enumerator state: " + active + " active stores, the plan has "
                    + plan.storeCount());
        }
        LOG.info("planned {} stores ({} sampled this epoch), {} samples, plan of {} bytes, in {} ms",
                plan.storeCount(), active, plan.size(), bytes.length, (System.nanoTime() - start) / 1_000_000);
        EpochSplits pending = active < plan.storeCount() ? policy(plan, plan.storeCount(), null) : null;
        return new Prepared(plan, bytes, policy(plan, active, weights), pending, dropped);
    }

    /** The sampling policy over the first {@code stores} stores of {@code plan}. */
    private EpochSplits policy(CollectionPlan plan, int stores, @Nullable double[] weights) {
        long[] kept = new long[stores];
        for (int s = 0; s < stores; s++) {
            kept[s] = plan.store(s).keptRows();
        }
        return policy(new RowSpace(kept), weights);
    }

    private EpochSplits policy(RowSpace space, @Nullable double[] weights) {
        switch (settings.sampling()) {
            case SEQUENTIAL:
                return new SequentialSplits(space, settings.rowsPerSplit());
            case BLOCK_SHUFFLED:
                return new BlockShuffledSplits(space, settings.blockSize(), settings.windowBlocks(), settings.seed());
            default:
                return new WeightedSplits(space, settings.blockSize(), settings.windowBlocks(), settings.seed(), weights);
        }
    }

    private void onPrepared(@Nullable Prepared prepared, @Nullable Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException("could not plan the AnnData collection: " + error.getMessage(), error);
        }
        planBytes = prepared.bytes;
        plan = prepared.plan;
        droppedGenes = prepared.droppedGenes;
        List<AnnDataSplit> returned = new ArrayList<>(restored.returned());
        returned.addAll(returnedBeforePlan);
        returnedBeforePlan.clear();
        assigner = new SplitAssigner(prepared.policy, settings.epochs(), restored.epoch(), restored.cursor(), returned);
        if (prepared.pending != null) {
            assigner.switchAtNextEpoch(prepared.pending);
        }
        for (int subtask : waitingForPlan) {
            sendPlan(subtask);
        }
        waitingForPlan.clear();
        assignPending();
        if (watcher != null) {
            long period = settings.discoveryInterval().toMillis();
            context.callAsync(this::discover, this::onDiscovered, 0, period);
        }
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
        if (growth.baseStores != plan.storeCount()) {
            LOG.warn("dropping a discovery made on an older plan ({} stores, now {})", growth.baseStores,
                    plan.storeCount());
            return;
        }
        plan = growth.plan;
        planBytes = growth.bytes;
        droppedGenes += growth.droppedGenes;
        assigner.switchAtNextEpoch(policy(growth.plan, growth.plan.storeCount(), null));
        int oldest = inFlight.oldestEpoch();
        LOG.info("{} stores joined ({} in all, {} samples); sampled from the next epoch on, epoch {} (readers are"
                + " emitting epoch {}): {}", growth.added.size(), growth.plan.storeCount(), growth.plan.size(),
                assigner.switchEpoch(), oldest < 0 ? "none" : oldest, growth.added);
        assignPending();
    }

    @Override
    public void handleSplitRequest(int subtask, @Nullable String requesterHostname) {
        inFlight.finished(subtask); // a reader asks when its split finished (or at start)
        waitingForSplits.add(subtask);
        assignPending();
    }

    private void assignPending() {
        if (assigner == null) {
            return;
        }
        Iterator<Integer> it = waitingForSplits.iterator();
        while (it.hasNext()) {
            int subtask = it.next();
            if (!context.registeredReaders().containsKey(subtask)) {
                it.remove(); // failed meanwhile; it asks again when it comes back
                continue;
            }
            if (watcher != null && inFlight.behind(assigner.upcomingEpoch(), MAX_EPOCHS_AHEAD)) {
                return; // a reader still emits an older epoch: asked again when its split finishes
            }
            AnnDataSplit split = assigner.next();
            if (split != null) {
                context.assignSplit(split, subtask);
                inFlight.assigned(subtask, split);
            } else if (watcher != null) {
                return; // a growing collection without samples yet: wait for stores to join
            } else if (toldNoMoreSplits.add(subtask)) {
                context.signalNoMoreSplits(subtask);
            }
            it.remove();
        }
    }

    @Override
    public void addSplitsBack(List<AnnDataSplit> splits, int subtask) {
        LOG.info("{} splits returned by failed reader {}", splits.size(), subtask);
        inFlight.returned(subtask);
        if (assigner == null) {
            returnedBeforePlan.addAll(splits);
        } else {
            assigner.addBack(splits);
            assignPending();
        }
    }

    @Override
    public void addReader(int subtask) {
        readersSeen.add(subtask);
        // a (re-)registered reader may be told "no more splits" again; it pulls work itself
        toldNoMoreSplits.remove(subtask);
    }

    @Override
    public void handleSourceEvent(int subtask, SourceEvent event) {
        if (event instanceof PlanRequestEvent) {
            if (planBytes == null) {
                waitingForPlan.add(subtask);
            } else {
                sendPlan(subtask);
            }
        } else if (event instanceof AnswerOverdueEvent) {
            answerOverdue(subtask, (AnswerOverdueEvent) event);
        } else {
            LOG.warn("ignoring unexpected event {} from reader {}", event, subtask);
        }
    }

    /**
     * A reader waited too long for an answer. If this enumerator did answer (it does not hold the
     * request), the answer was lost in Flink's coordinator-to-task gateway: a regional restart in
     * Flink 2.3 can drop the events buffered in a closed subtask gateway, or leave a surviving
     * subtask's gateway closed for an aborted checkpoint, holding every later event to it (and
     * every later checkpoint) forever. Restarting that reader alone does not help (its restart
     * races the next checkpoint the same way); a global failover resets every gateway. Throwing
     * here makes the source coordinator fail the job, which Flink handles as a global failover.
     */
    private void answerOverdue(int subtask, AnswerOverdueEvent event) {
        boolean answered = event.plan()
                ? planBytes != null && !waitingForPlan.contains(subtask)
                : assigner != null && !waitingForSplits.contains(subtask);
        if (!answered) {
            LOG.info("reader {} waits for {} ({} ms); not answered yet on purpose", subtask,
                    event.plan() ? "the plan" : "a split", event.waitedMillis());
            return;
        }
        throw new FlinkRuntimeException(String.format("reader %d has waited %d ms for %s this enumerator sent: the"
                + " event was lost between the JobManager and the task (a Flink 2.3 coordinator gateway issue after"
                + " regional restarts, see docs/reliability.md); failing the job over globally, which resets every"
                + " event gateway", subtask, event.waitedMillis(), event.plan() ? "the plan" : "the answer to its"
                + " split request"));
    }

    /** Epochs the enumerator is ahead of the oldest split a reader is reading (0 when none is). */
    private int epochsAhead() {
        int oldest = inFlight.oldestEpoch();
        SplitAssigner a = assigner;
        return a == null || oldest < 0 ? 0 : Math.max(0, a.epoch() - oldest);
    }

    private void sendPlan(int subtask) {
        if (context.registeredReaders().containsKey(subtask)) {
            context.sendEventToSourceReader(subtask, new PlanEvent(planBytes));
        }
    }

    @Override
    public AnnDataEnumState snapshotState(long checkpointId) {
        declineIfAReaderFailed(checkpointId);
        if (assigner == null) {
            // still planning: nothing has been handed out since the restore
            List<AnnDataSplit> returned = new ArrayList<>(restored.returned());
            returned.addAll(returnedBeforePlan);
            return new AnnDataEnumState(restored.plan(), restored.epoch(), restored.cursor(), returned,
                    restored.activeStores(), restored.droppedGenes());
        }
        List<AnnDataSplit> returned = assigner.returned();
        int active = watcher == null ? AnnDataEnumState.ALL_STORES : assigner.activeStores();
        return new AnnDataEnumState(planBytes, assigner.epoch(), assigner.cursor(), returned, active, droppedGenes);
    }

    /**
     * Declines a checkpoint taken while a reader that had registered is gone (its task failed and
     * its new attempt has not registered yet). Such a checkpoint cannot complete anyway — one of its
     * tasks is down — but a coordinator snapshot that completes normally here lets Flink 2.x close
     * the subtask gateways of this checkpoint after a regional restart may already have replaced
     * the failed subtask's gateway ({@code OperatorCoordinatorHolder#subtaskReset}); the mixed
     * state fails Flink's check "Some subtask gateway can be closed while others cannot", which
     * exits the JobManager process. A declined (exceptionally completed) coordinator snapshot
     * never reaches that check, and Flink does not count it against the tolerable checkpoint
     * failures. See docs/reliability.md, "Flink's coordinator checkpoint race".
     */
    private void declineIfAReaderFailed(long checkpointId) {
        Set<Integer> registered = context.registeredReaders().keySet();
        for (int subtask : readersSeen) {
            if (!registered.contains(subtask)) {
                LOG.info("declining checkpoint {}: the reader of subtask {} failed and has not registered again",
                        checkpointId, subtask);
                throw new CheckpointDeclinedException("checkpoint " + checkpointId + " declined: the reader of"
                        + " subtask " + subtask + " failed and has not registered again");
            }
        }
    }

    /** A coordinator snapshot refused while a reader is being restarted. */
    static final class CheckpointDeclinedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        CheckpointDeclinedException(String message) {
            super(message);
        }
    }

    @Override
    public void close() {}

    private static final class Prepared {
        final CollectionPlan plan;
        final byte[] bytes;
        final EpochSplits policy;
        @Nullable final EpochSplits pending;
        final long droppedGenes;

        Prepared(CollectionPlan plan, byte[] bytes, EpochSplits policy, @Nullable EpochSplits pending,
                long droppedGenes) {
            this.plan = plan;
            this.bytes = bytes;
            this.policy = policy;
            this.pending = pending;
            this.droppedGenes = droppedGenes;
        }
    }
}
