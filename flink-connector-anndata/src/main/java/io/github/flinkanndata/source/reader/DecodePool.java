package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The threads that decode range reads for the readers of one TaskManager: one bounded pool shared
 * by every reader of the job in this TaskManager (a JVM-wide pool of the job's class loader), so
 * that a TaskManager with more cores than busy slots still decodes on all of them, and one with
 * more slots than cores does not oversubscribe them.
 *
 * <p>A fetcher hands the pool independent pieces of work — the blocks of a shuffled split, the
 * parts of a sequential fetch — and waits for all of them ({@link #runAll}); it never decodes
 * beside the pool, so at most {@link #threads()} decodes run at once in the TaskManager whatever
 * the parallelism. Idle threads end after a few seconds: a finished job leaves none behind.
 */
@Internal
final class DecodePool {
    /**
     * Decode threads per TaskManager; 0 sizes the pool from the cores the JVM may use. Read from
     * the TaskManager configuration when the first reader of the job in that TaskManager starts.
     */
    static final ConfigOption<Integer> DECODE_THREADS = ConfigOptions.key("anndata.reader.decode-threads")
            .intType().defaultValue(0)
            .withDescription("Threads per TaskManager that decompress and decode range reads, shared by the"
                    + " readers of a job (0: one per core available to the JVM).");

    private static final long IDLE_SECONDS = 5;
    private static volatile ThreadPoolExecutor shared;

    private DecodePool() {}

    /** One piece of decoding work. */
    @FunctionalInterface
    interface Work<R> {
        R run() throws AnnDataFormatException;
    }

    /** The pool, created with {@code configured} threads (0: the cores) on first use. */
    static ThreadPoolExecutor get(int configured) {
        ThreadPoolExecutor p = shared;
        if (p == null) {
            synchronized (DecodePool.class) {
                p = shared;
                if (p == null) {
                    int n = configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
                    AtomicInteger count = new AtomicInteger();
                    p = new ThreadPoolExecutor(n, n, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                            r -> {
                                Thread t = new Thread(r, "anndata-decode-" + count.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
                    p.allowCoreThreadTimeOut(true);
                    shared = p;
                }
            }
        }
        return p;
    }

    static int threads(int configured) {
        return get(configured).getMaximumPoolSize();
    }

    /**
     * Runs every piece on the pool and returns their results in order. The first failure (in
     * piece order) is rethrown once all pieces ended; an interrupt cancels what has not started.
     */
    static <R> List<R> runAll(ThreadPoolExecutor pool, List<? extends Work<R>> work)
            throws AnnDataFormatException, InterruptedIOException {
        if (work.size() == 1) {
            // nothing to overlap: the fetcher runs it, saving two thread hand-overs
            return List.of(work.get(0).run());
        }
        return gather(submitAll(pool, work));
    }

    /** Starts every piece on the pool; {@link #gather} waits for them. */
    static <R> List<Future<R>> submitAll(ThreadPoolExecutor pool, List<? extends Work<R>> work) {
        List<Future<R>> futures = new ArrayList<>(work.size());
        for (Work<R> w : work) {
            futures.add(pool.submit(w::run));
        }
        return futures;
    }

    /**
     * The results of pieces started by {@link #submitAll}, in order. The first failure (in piece
     * order) is rethrown once all pieces ended; an interrupt cancels what has not started.
     */
    static <R> List<R> gather(List<Future<R>> futures) throws AnnDataFormatException, InterruptedIOException {
        List<R> out = new ArrayList<>(futures.size());
        Throwable failure = null;
        for (Future<R> f : futures) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                futures.forEach(x -> x.cancel(true));
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while decoding");
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            }
        }
        if (failure instanceof AnnDataFormatException) {
            throw (AnnDataFormatException) failure;
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new IllegalStateException("decoding failed", failure);
        }
        return out;
    }
}
