package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.AnnDataCollection;
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
import io.github.flinkanndata.source.cache.CachingStoreResolver;
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
 * <p>Everything but planning runs on the coordinator thread. A reader that asks when no split is
 * left is told "no more splits" once per registration.
 */
@Internal
public final class AnnDataSplitEnumerator implements SplitEnumerator<AnnDataSplit, AnnDataEnumState> {
    private static final Logger LOG = LoggerFactory.getLogger(AnnDataSplitEnumerator.class);

    private final SplitEnumeratorContext<AnnDataSplit> context;
    private final SourceSettings settings;
    private final AnnDataEnumState restored;
    private final StoreResolver stores;
    private final LinkedHashSet<Integer> waitingForSplits = new LinkedHashSet<>();
    private final LinkedHashSet<Integer> waitingForPlan = new LinkedHashSet<>();
    private final Set<Integer> toldNoMoreSplits = new HashSet<>();
    private final List<AnnDataSplit> returnedBeforePlan = new ArrayList<>();
    @Nullable private byte[] planBytes;
    @Nullable private SplitAssigner assigner;

    public AnnDataSplitEnumerator(
            SplitEnumeratorContext<AnnDataSplit> context, SourceSettings settings, AnnDataEnumState restored) {
        this.context = context;
        this.settings = settings;
        this.restored = restored;
        // remote stores are copied into this node's cache for planning (the coordinator has no
        // Flink configuration at hand, so the default folder is under java.io.tmpdir)
        this.stores = new CachingStoreResolver(settings.storeCache(), System.getProperty("java.io.tmpdir"),
                context.metricGroup());
    }

    @Override
    public void start() {
        context.metricGroup().setUnassignedSplitsGauge(() -> assigner == null ? -1L : assigner.remaining());
        context.metricGroup().gauge("currentEpoch", () -> assigner == null ? -1 : assigner.epoch());
        context.metricGroup().gauge("epochProgress", () -> assigner == null || assigner.splitsPerEpoch() == 0
                ? 0.0 : (double) assigner.cursor() / assigner.splitsPerEpoch());
        context.callAsync(this::prepare, this::onPrepared);
    }

    /** The plan and the sampling policy; runs on a worker thread (store I/O). */
    private Prepared prepare() throws Exception {
        long start = System.nanoTime();
        byte[] bytes = restored.plan();
        CollectionPlan plan = bytes == null ? null : CollectionPlanCodec.fromBytes(bytes);
        double[] weights = null;
        boolean weighted = settings.sampling() == SamplingMode.WEIGHTED;
        if (plan == null || weighted) {
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
        long[] kept = new long[plan.storeCount()];
        for (int s = 0; s < kept.length; s++) {
            kept[s] = plan.store(s).keptRows();
        }
        LOG.info("planned {} stores, {} samples, plan of {} bytes, in {} ms", kept.length, plan.size(),
                bytes.length, (System.nanoTime() - start) / 1_000_000);
        return new Prepared(bytes, policy(new RowSpace(kept), weights));
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
        planBytes = prepared.plan;
        List<AnnDataSplit> returned = new ArrayList<>(restored.returned());
        returned.addAll(returnedBeforePlan);
        returnedBeforePlan.clear();
        assigner = new SplitAssigner(prepared.policy, settings.epochs(), restored.epoch(), restored.cursor(), returned);
        for (int subtask : waitingForPlan) {
            sendPlan(subtask);
        }
        waitingForPlan.clear();
        assignPending();
    }

    @Override
    public void handleSplitRequest(int subtask, @Nullable String requesterHostname) {
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
            AnnDataSplit split = assigner.next();
            if (split != null) {
                context.assignSplit(split, subtask);
            } else if (toldNoMoreSplits.add(subtask)) {
                context.signalNoMoreSplits(subtask);
            }
            it.remove();
        }
    }

    @Override
    public void addSplitsBack(List<AnnDataSplit> splits, int subtask) {
        LOG.info("{} splits returned by failed reader {}", splits.size(), subtask);
        if (assigner == null) {
            returnedBeforePlan.addAll(splits);
        } else {
            assigner.addBack(splits);
            assignPending();
        }
    }

    @Override
    public void addReader(int subtask) {
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
        } else {
            LOG.warn("ignoring unexpected event {} from reader {}", event, subtask);
        }
    }

    private void sendPlan(int subtask) {
        if (context.registeredReaders().containsKey(subtask)) {
            context.sendEventToSourceReader(subtask, new PlanEvent(planBytes));
        }
    }

    @Override
    public AnnDataEnumState snapshotState(long checkpointId) {
        if (assigner == null) {
            // still planning: nothing has been handed out since the restore
            List<AnnDataSplit> returned = new ArrayList<>(restored.returned());
            returned.addAll(returnedBeforePlan);
            return new AnnDataEnumState(restored.plan(), restored.epoch(), restored.cursor(), returned);
        }
        List<AnnDataSplit> returned = assigner.returned();
        return new AnnDataEnumState(planBytes, assigner.epoch(), assigner.cursor(), returned);
    }

    @Override
    public void close() {}

    private static final class Prepared {
        final byte[] plan;
        final EpochSplits policy;

        Prepared(byte[] plan, EpochSplits policy) {
            this.plan = plan;
            this.policy = policy;
        }
    }
}
