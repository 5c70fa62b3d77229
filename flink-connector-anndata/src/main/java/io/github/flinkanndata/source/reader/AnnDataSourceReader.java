package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.cache.StoreResolvers;
import io.github.flinkanndata.source.enumerator.AnswerOverdueEvent;
import io.github.flinkanndata.source.enumerator.PlanEvent;
import io.github.flinkanndata.source.enumerator.PlanRequestEvent;
import io.github.flinkanndata.source.enumerator.SplitFinishedEvent;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.AnnDataSplitState;
import io.github.flinkanndata.source.split.Segment;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TaskManager side of the source: one fetcher thread decodes splits ({@link
 * AnnDataSplitReader}), the task thread emits the records.
 *
 * <p>On start the reader asks the enumerator for the plan, and asks for a split unless it was
 * restored with some. Splits that arrive before the plan (restored ones, or early assignments)
 * are parked, and still checkpointed, until the plan is there. When a split starts emitting (its
 * first record), the reader asks for the next one, so that the fetcher decodes it while this one
 * is emitted ({@link AnnDataSplitReader}); a split that ends without a record asks when it ends.
 * Each split asks once, so at most one request is unanswered and a reader holds at most one split
 * beyond the one it emits (plus what it restored). Work is pulled, so fast readers take more.
 *
 * <p>In a growing collection the plan's store count is its version. A split that names a store
 * the reader's plan does not have is parked too, and the reader asks for the newer plan; it never
 * decodes a store it does not know. A newer plan only appends stores and vocabulary, so decoders
 * built from an older plan stay valid.
 */
@Internal
// javac -Xlint:try flags every AutoCloseable whose close() may throw InterruptedException, as
// Flink's SourceReader.close() declares Exception; Flink, not a try block, closes readers
@SuppressWarnings("try")
public final class AnnDataSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<ConvertedRecord<T>, T, AnnDataSplit, AnnDataSplitState> {
    private static final Logger LOG = LoggerFactory.getLogger(AnnDataSourceReader.class);

    /**
     * How long a reader that holds the plan waits for the answer to a split request (a split or
     * "no more splits") before it tells the enumerator ({@link AnswerOverdueEvent}); 0 turns the
     * watchdog off. If the enumerator did answer, the answer was lost — under regional failover
     * Flink 2.3 can drop the events buffered in a subtask's closed event gateway or leave a gateway
     * closed for good (docs/reliability.md) — and the enumerator fails the job over globally, which
     * resets every gateway. Keep it below the checkpoint timeout: the checkpoint that waits for a
     * lost event ends only with that failover. Read from the TaskManager configuration.
     */
    public static final ConfigOption<Duration> SPLIT_WAIT_TIMEOUT = ConfigOptions
            .key("anndata.reader.split-wait-timeout").durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("How long a reader waits for the answer to a split request before it asks the"
                    + " enumerator whether the answer was lost (0: never).");

    private final PlanHolder planHolder;
    private final ReaderProgress progress;
    private final List<AnnDataSplit> parked = new ArrayList<>();
    private boolean started;
    private boolean restoredSplits;
    private int storesRequested; // the store count of the last plan request sent
    private final long splitWaitNanos; // 0: no watchdog
    private boolean noMoreSplits;
    /** Splits that asked for their successor when they started emitting (task thread only). */
    private final Set<String> askedAhead = new HashSet<>();
    // the watchdog: the time the unanswered split request was sent (Long.MIN_VALUE: none), set on
    // the task thread, read by the timer thread; a stalled request completes `stalled`
    private volatile long awaitingSince = Long.MIN_VALUE;
    private volatile CompletableFuture<Void> stalled = new CompletableFuture<>();
    @Nullable private ScheduledExecutorService watchdog;

    private AnnDataSourceReader(SourceReaderContext context, Configuration config, PlanHolder planHolder,
            ReaderProgress progress, SourceSettings settings, CellOutputFormat<T> format, StoreResolver stores) {
        super(() -> new AnnDataSplitReader<>(planHolder, settings.output() == OutputForm.SPARSE, format,
                        settings.fetchRows(), settings.maxOpenStores(), config.get(DecodePool.DECODE_THREADS),
                        context.metricGroup().getIOMetricGroup().getNumBytesInCounter(), stores,
                        settings.orderKey()),
                new AnnDataRecordEmitter<>(progress), config, context);
        this.planHolder = planHolder;
        this.progress = progress;
        this.splitWaitNanos = Math.max(0, config.get(SPLIT_WAIT_TIMEOUT).toNanos());
    }

    public static <T> AnnDataSourceReader<T> create(SourceReaderContext context, SourceSettings settings,
            CellOutputFormat<T> format) {
        // remote stores are read in place by ranges, or (copy mode) copied into the TaskManager's cache, under its first temporary directory
        // unless the settings name a folder; one resolver (and one set of metrics) per reader
        String tmp = ConfigurationUtils.parseTempDirectories(context.getConfiguration())[0];
        StoreResolver stores = StoreResolvers.create(settings.storeCache(), tmp, context.metricGroup());
        return new AnnDataSourceReader<>(context, context.getConfiguration(), new PlanHolder(), new ReaderProgress(),
                settings, format, stores);
    }

    @Override
    public void start() {
        started = true;
        context.metricGroup().setPendingRecordsGauge(progress::pending);
        context.metricGroup().gauge("currentEpoch", progress::epoch);
        // the store count of this reader's plan: in a growing collection, when it learned of a joined store
        context.metricGroup().gauge("plannedStores", () -> {
            CollectionPlan plan = planHolder.get();
            return plan == null ? -1 : plan.storeCount();
        });
        context.sendSourceEventToCoordinator(new PlanRequestEvent());
        requestPlanFor(parked);
        if (!restoredSplits) {
            requestSplit();
        }
    }

    /** Asks for a split; watched when the reader has the plan (the enumerator has planned, so it answers at once). */
    private void requestSplit() {
        context.sendSplitRequest();
        if (splitWaitNanos > 0 && !noMoreSplits && planHolder.get() != null) {
            awaitingSince = System.nanoTime();
            if (watchdog == null) {
                watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "anndata-split-watchdog-" + context.getIndexOfSubtask());
                    t.setDaemon(true);
                    return t;
                });
            }
            long since = awaitingSince;
            CompletableFuture<Void> signal = stalled;
            watchdog.schedule(() -> {
                if (awaitingSince == since) {
                    signal.complete(null); // wakes the task thread (isAvailable), which reports in pollNext
                }
            }, splitWaitNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        CompletableFuture<Void> available = super.isAvailable();
        CompletableFuture<Void> signal = stalled;
        if (watchdog == null || available.isDone() || signal.isDone()) {
            return signal.isDone() ? signal : available;
        }
        return CompletableFuture.anyOf(available, signal).thenApply(ignored -> null);
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        if (stalled.isDone()) {
            stalled = new CompletableFuture<>(); // once per request: a later request arms it again
            long since = awaitingSince;
            if (since != Long.MIN_VALUE) {
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                LOG.warn("reader {} has waited {} ms for the answer to its split request; asking the enumerator"
                        + " whether it was lost", context.getIndexOfSubtask(), waited);
                context.sendSourceEventToCoordinator(new AnswerOverdueEvent(false, waited));
            }
        }
        InputStatus status = super.pollNext(output);
        askForStarted();
        return status;
    }

    /** Asks for a split for each split that started emitting since the last look. */
    private void askForStarted() {
        for (String id : progress.drainStarted()) {
            if (askedAhead.add(id)) {
                requestSplit();
            }
        }
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        awaitingSince = Long.MIN_VALUE;
        super.notifyNoMoreSplits();
    }

    @Override
    public void close() throws Exception {
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        super.close();
    }

    @Override
    public void addSplits(List<AnnDataSplit> splits) {
        if (!started && !splits.isEmpty()) {
            restoredSplits = true;
        }
        if (!splits.isEmpty()) {
            awaitingSince = Long.MIN_VALUE; // the request was answered
        }
        for (AnnDataSplit s : splits) {
            progress.added(s.size() - s.skip());
        }
        CollectionPlan plan = planHolder.get();
        List<AnnDataSplit> ready = new ArrayList<>();
        for (AnnDataSplit s : splits) {
            if (plan != null && storesNeeded(s) <= plan.storeCount()) {
                ready.add(s);
            } else {
                parked.add(s);
            }
        }
        if (plan != null) {
            requestPlanFor(parked);
        }
        if (!ready.isEmpty()) {
            super.addSplits(ready);
        }
    }

    /** The number of stores a plan must have to decode {@code split}. */
    private static int storesNeeded(AnnDataSplit split) {
        int n = 0;
        for (Segment seg : split.segments()) {
            n = Math.max(n, seg.store() + 1);
        }
        return n;
    }

    /** Asks for a newer plan if a parked split needs more stores than the plan (or last request) has. */
    private void requestPlanFor(List<AnnDataSplit> waiting) {
        CollectionPlan plan = planHolder.get();
        if (!started || plan == null) {
            return; // the start request is on its way; its answer releases what it can
        }
        int needed = 0;
        for (AnnDataSplit s : waiting) {
            needed = Math.max(needed, storesNeeded(s));
        }
        if (needed > plan.storeCount() && needed > storesRequested) {
            storesRequested = needed;
            context.sendSourceEventToCoordinator(new PlanRequestEvent(needed));
        }
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (!(event instanceof PlanEvent)) {
            super.handleSourceEvents(event);
            return;
        }
        CollectionPlan received;
        try {
            received = CollectionPlanCodec.fromBytes(((PlanEvent) event).plan());
        } catch (IOException e) {
            throw new FlinkRuntimeException("the enumerator sent an unreadable plan", e);
        }
        CollectionPlan current = planHolder.get();
        if (current != null && received.storeCount() <= current.storeCount()) {
            return; // an answer to an older request: plans only grow
        }
        planHolder.set(received);
        if (current != null) {
            LOG.info("reader {} received the plan of {} stores (had {}) while emitting epoch {}",
                    context.getIndexOfSubtask(), received.storeCount(), current.storeCount(), progress.epoch());
        }
        List<AnnDataSplit> release = new ArrayList<>();
        for (java.util.Iterator<AnnDataSplit> it = parked.iterator(); it.hasNext(); ) {
            AnnDataSplit s = it.next();
            if (storesNeeded(s) <= received.storeCount()) {
                release.add(s);
                it.remove();
            }
        }
        requestPlanFor(parked);
        if (!release.isEmpty()) {
            super.addSplits(release);
        }
    }

    @Override
    public List<AnnDataSplit> snapshotState(long checkpointId) {
        List<AnnDataSplit> splits = new ArrayList<>(super.snapshotState(checkpointId));
        splits.addAll(parked);
        return splits;
    }

    @Override
    protected void onSplitFinished(Map<String, AnnDataSplitState> finished) {
        askForStarted(); // a split may start and end within one poll
        for (String id : finished.keySet()) {
            context.sendSourceEventToCoordinator(new SplitFinishedEvent(id));
            if (!askedAhead.remove(id)) {
                requestSplit(); // it ended without a record
            }
        }
    }

    @Override
    protected AnnDataSplitState initializedState(AnnDataSplit split) {
        return new AnnDataSplitState(split);
    }

    @Override
    protected AnnDataSplit toSplitType(String splitId, AnnDataSplitState state) {
        return state.toSplit();
    }
}
