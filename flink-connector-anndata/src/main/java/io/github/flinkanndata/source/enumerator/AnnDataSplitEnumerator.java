package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.record.BatchToken;
import io.github.flinkanndata.source.assigner.EpochSplits;
import io.github.flinkanndata.source.assigner.SplitAssigner;
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
 * The JobManager side of the source, shared by its two kinds: {@link StaticSplitEnumerator} for a
 * fixed collection and {@link GrowingSplitEnumerator} for one that grows. Both plan the collection
 * once — off the coordinator thread ({@code callAsync}), in {@link #prepare()} — and keep the plan
 * in their checkpoint; a restore never plans again. They then hand out splits when readers ask
 * (pull-based, so fast readers take more work) in the order of the sampling policy, and answer
 * every reader's plan request.
 *
 * <p>Everything but planning (and discovery) runs on the coordinator thread. A reader that asks
 * when no split is left is told "no more splits" once per registration, unless {@link
 * #waitsForMoreSplits()}.
 */
@Internal
public abstract class AnnDataSplitEnumerator implements SplitEnumerator<AnnDataSplit, AnnDataEnumState> {
    private static final Logger LOG = LoggerFactory.getLogger(AnnDataSplitEnumerator.class);
    /** How many epochs a growing collection's enumerator may be ahead of the oldest split being read. */
    static final int MAX_EPOCHS_AHEAD = 1;

    final SplitEnumeratorContext<AnnDataSplit> context;
    final SourceSettings settings;
    final AnnDataEnumState restored;
    final StoreResolver stores;
    private final LinkedHashSet<Integer> waitingForSplits = new LinkedHashSet<>();
    private final LinkedHashSet<Integer> waitingForPlan = new LinkedHashSet<>();
    private final Set<Integer> toldNoMoreSplits = new HashSet<>();
    /** Subtasks whose reader registered since this enumerator was created (or restored). */
    private final Set<Integer> readersSeen = new HashSet<>();
    private final List<AnnDataSplit> returnedBeforePlan = new ArrayList<>();
    final SplitsInFlight inFlight = new SplitsInFlight();
    @Nullable byte[] planBytes;
    @Nullable SplitAssigner assigner;
    // the current plan, read by the discovery call on the worker thread
    @Nullable volatile CollectionPlan plan;

    AnnDataSplitEnumerator(
            SplitEnumeratorContext<AnnDataSplit> context, SourceSettings settings, AnnDataEnumState restored) {
        this.context = context;
        this.settings = settings;
        this.restored = restored;
        // remote stores are read in place for planning (metadata only), or in copy mode copied into
        // this node's cache (the coordinator has no Flink configuration at hand, so the default
        // folder is under java.io.tmpdir)
        this.stores = StoreResolvers.create(settings.storeCache(), System.getProperty("java.io.tmpdir"),
                context.metricGroup());
    }

    /** The enumerator the settings call for: a growing one when directories are watched, else a static one. */
    public static AnnDataSplitEnumerator create(
            SplitEnumeratorContext<AnnDataSplit> context, SourceSettings settings, AnnDataEnumState restored) {
        return settings.growing()
                ? new GrowingSplitEnumerator(context, settings, settings.growingPolicy(), restored)
                : new StaticSplitEnumerator(context, settings, settings.policy(), restored);
    }

    @Override
    public void start() {
        context.metricGroup().setUnassignedSplitsGauge(() -> assigner == null ? -1L : assigner.remaining());
        context.metricGroup().gauge("currentEpoch", () -> assigner == null ? -1 : assigner.epoch());
        context.metricGroup().gauge("epochProgress", () -> assigner == null || assigner.splitsPerEpoch() == 0
                ? 0.0 : (double) assigner.cursor() / assigner.splitsPerEpoch());
        context.metricGroup().gauge("splitsInFlight", inFlight::count);
        context.metricGroup().gauge("epochsAhead", this::epochsAhead);
        context.callAsync(this::timedPrepare, this::onPrepared);
    }

    /** The plan and the splits of the sampling policy; runs on a worker thread (store I/O). */
    abstract Prepared prepare() throws Exception;

    private Prepared timedPrepare() throws Exception {
        long start = System.nanoTime();
        Prepared p = prepare();
        LOG.info("planned {} stores ({} sampled this epoch), {} samples, plan of {} bytes, in {} ms",
                p.plan().storeCount(), p.policy().stores(), p.plan().size(), p.bytes().length,
                (System.nanoTime() - start) / 1_000_000);
        return p;
    }

    /** Called on the coordinator thread once {@code prepared} is installed and the waiting readers served. */
    void onPlanned(Prepared prepared) {}

    /** Whether a reader may be handed the next split now (a growing collection bounds how far ahead). */
    boolean mayAssign() {
        return true;
    }

    /** Whether a reader that finds no split waits for more rather than being told there are none. */
    boolean waitsForMoreSplits() {
        return false;
    }

    private void onPrepared(@Nullable Prepared prepared, @Nullable Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException("could not plan the AnnData collection: " + error.getMessage(), error);
        }
        planBytes = prepared.bytes();
        plan = prepared.plan();
        List<AnnDataSplit> returned = new ArrayList<>(restored.returned());
        returned.addAll(returnedBeforePlan);
        returnedBeforePlan.clear();
        BatchToken start = settings.startToken();
        if (start != null && restored.epoch() == 0 && restored.cursor() == 0 && returned.isEmpty()) {
            // nothing handed out yet (a fresh start, or a checkpoint before the first split)
            long position = StartTokens.position(start, prepared.plan(), settings);
            assigner = SplitAssigner.startingAt(prepared.policy(), settings.epochs(), start.epoch(), position);
            LOG.info("starting from {}: epoch {}, sample {} of the epoch's order", start, start.epoch(), position);
        } else {
            assigner = new SplitAssigner(prepared.policy(), settings.epochs(), restored.epoch(), restored.cursor(),
                    returned);
        }
        if (prepared.pending() != null) {
            assigner.switchAtNextEpoch(prepared.pending());
        }
        for (int subtask : waitingForPlan) {
            sendPlan(subtask);
        }
        waitingForPlan.clear();
        assignPending();
        onPlanned(prepared);
    }

    @Override
    public void handleSplitRequest(int subtask, @Nullable String requesterHostname) {
        inFlight.requested(subtask); // a reader asks when a split starts emitting (or ends without a record, or at start)
        waitingForSplits.add(subtask);
        assignPending();
    }

    void assignPending() {
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
            if (!mayAssign()) {
                return; // looked at again when a split ends (SplitFinishedEvent) or a reader asks
            }
            AnnDataSplit split = assigner.next();
            if (split != null) {
                context.assignSplit(split, subtask);
                inFlight.assigned(subtask, split);
            } else if (waitsForMoreSplits()) {
                return;
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
        } else if (event instanceof SplitFinishedEvent) {
            if (inFlight.finished(subtask, ((SplitFinishedEvent) event).splitId())) {
                assignPending(); // a reader held back by the epoch lead may go on
            }
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
        return new AnnDataEnumState(planBytes, assigner.epoch(), assigner.cursor(), assigner.returned(),
                activeStores(), droppedGenes());
    }

    /** The {@code activeStores} of the checkpoint. */
    int activeStores() {
        return AnnDataEnumState.ALL_STORES;
    }

    /** The {@code droppedGenes} of the checkpoint. */
    long droppedGenes() {
        return restored.droppedGenes();
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

    /** A plan, its checkpoint bytes, the splits of the current epochs and of the next stores (or null). */
    record Prepared(CollectionPlan plan, byte[] bytes, EpochSplits policy, @Nullable EpochSplits pending,
            long droppedGenes) {}
}
