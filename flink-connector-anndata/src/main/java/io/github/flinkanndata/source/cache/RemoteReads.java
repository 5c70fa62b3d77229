package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.format.remote.Listings;
import io.github.flinkanndata.format.remote.ObjectVersions;
import io.github.flinkanndata.format.remote.RangeCache;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.annotation.Internal;

/**
 * What the range readers of one process (a TaskManager, or the JobManager for the enumerator)
 * share: one {@link RangeCache} in memory, one bounded pool of fetch threads, and per job the
 * {@link ObjectVersions} (its start, the first-seen version of every remote object), so that every
 * reader of a job on this node holds each object to one version ({@link io.github.flinkanndata.format.remote.RangeReader}),
 * and the directory listings ({@link Listings}), so that each directory of a remote
 * store is listed once per job and node.
 *
 * <p>"Process" is the class loader that loaded the connector: the slots of a TaskManager running
 * one job share it; with the connector in Flink's {@code lib/} all jobs of the TaskManager do.
 * The cache's bound is the largest any source of the process asked for; the pool grows to the
 * most threads any asked for. Idle fetch threads end after a minute.
 */
@Internal
final class RemoteReads {
    private static final int MAX_JOBS = 64;

    private static RangeCache cache; // guarded by RemoteReads.class
    private static ThreadPoolExecutor pool; // guarded by RemoteReads.class
    private static final Map<String, ObjectVersions> VERSIONS =
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ObjectVersions> eldest) {
                    return size() > MAX_JOBS;
                }
            };

    private static final Map<String, Listings> LISTINGS =
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Listings> eldest) {
                    return size() > MAX_JOBS;
                }
            };

    private RemoteReads() {}

    /**
     * The directory listings the readers of the job {@code jobKey} share on this node: each
     * directory of a remote store is listed once per job and node, not once per reader and open
     * store.
     */
    static synchronized Listings listings(String jobKey) {
        return LISTINGS.computeIfAbsent(jobKey, k -> new Listings());
    }

    /** The process's range cache, bounded by at least {@code maxBytes}. */
    static synchronized RangeCache cache(long maxBytes) {
        if (cache == null || cache.maxBytes() < maxBytes) {
            cache = new RangeCache(maxBytes); // a larger bound: start over (the old one is dropped)
        }
        return cache;
    }

    /** The process's fetch pool, with at least {@code threads} threads. */
    static synchronized ExecutorService pool(int threads) {
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "anndata-range-fetch-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
        } else if (pool.getMaximumPoolSize() < threads) {
            pool.setMaximumPoolSize(threads);
            pool.setCorePoolSize(threads);
        }
        return pool;
    }

    /**
     * The versions of remote objects that the job {@code jobKey} holds on this node; it started
     * reading when this was first asked for (a restart after a failure keeps that start).
     */
    static synchronized ObjectVersions versions(String jobKey) {
        return VERSIONS.computeIfAbsent(jobKey, k -> ObjectVersions.startingNow());
    }
}
