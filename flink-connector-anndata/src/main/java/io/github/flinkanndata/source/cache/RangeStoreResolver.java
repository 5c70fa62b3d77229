package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.collection.StoreLocation;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.remote.Listings;
import io.github.flinkanndata.format.remote.ObjectVersions;
import io.github.flinkanndata.format.remote.RangeCache;
import io.github.flinkanndata.format.remote.RangeReader;
import io.github.flinkanndata.format.remote.RemoteReadListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The source's {@link StoreResolver} in range mode (the default): a local path is opened where it
 * is; a remote one ({@code s3://}, {@code gs://}, {@code hdfs://}, ...) is read <b>in place</b>, by
 * byte ranges through Flink's file system ({@link FlinkObjectStorage}), through the process's
 * in-memory {@link RangeCache} and fetch pool ({@link RemoteReads}). Nothing is copied to disk.
 *
 * <p>Metrics in the group {@code remoteReads}: counters {@code bytesFetched}, {@code requests}
 * (byte-range requests), {@code metadataRequests} (statuses and listings), {@code cacheHits},
 * {@code cacheMisses}, {@code retries}; gauges {@code fetchLatencyMillis} (mean of the last 256
 * range requests) and {@code cacheBytes} (the shared cache's size). Thread-safe.
 */
@Internal
public final class RangeStoreResolver implements StoreResolver {
    /** The metric group the counters live in. */
    public static final String METRIC_GROUP = "remoteReads";

    /** Bytes fetched by range requests of every resolver of this class loader (benchmarks, tests). */
    private static final AtomicLong PROCESS_BYTES_FETCHED = new AtomicLong();

    /** Bytes fetched by the range requests of every reader and enumerator of this process so far. */
    public static long processBytesFetched() {
        return PROCESS_BYTES_FETCHED.get();
    }

    /**
     * Empties the process's range cache (benchmarks: every epoch then fetches what it reads, as a
     * first epoch does; a later epoch of a job finds what the cache kept).
     */
    @org.apache.flink.annotation.VisibleForTesting
    public static void clearProcessCache(long cacheBytes) {
        RemoteReads.cache(cacheBytes).clear();
    }

    private final CacheSettings settings;
    private final ObjectVersions versions;
    private final Listings listings;
    private final Listener listener;

    /**
     * @param jobKey identifies the job on this node: its readers share {@link ObjectVersions}; null
     *     gives this resolver versions of its own, starting now
     */
    public RangeStoreResolver(CacheSettings settings, @Nullable String jobKey, MetricGroup metrics) {
        this.settings = settings;
        this.versions = jobKey == null ? ObjectVersions.startingNow() : RemoteReads.versions(jobKey);
        this.listings = jobKey == null ? new Listings() : RemoteReads.listings(jobKey);
        this.listener = new Listener(metrics.addGroup(METRIC_GROUP), settings.rangeCacheBytes());
    }

    @Override
    public Lease resolve(String path) throws IOException {
        Path local = StoreLocation.local(path);
        if (local != null) {
            return Lease.unpinned(local);
        }
        StorePaths.requireFileSystem(path); // names the missing plugin, without retries
        RangeReader reader = new RangeReader(new FlinkObjectStorage(path), RemoteReads.cache(settings.rangeCacheBytes()),
                RemoteReads.pool(settings.fetchThreads()), settings.reads(), listener, versions, listings);
        return Lease.inPlace(reader);
    }

    @Override
    public String toString() {
        return "RangeStoreResolver{" + settings + "}";
    }

    /** A counter safe to increment from several fetch threads (Flink's SimpleCounter is not). */
    private static final class AtomicCounter implements Counter {
        private final AtomicLong n = new AtomicLong();

        @Override
        public void inc() {
            n.incrementAndGet();
        }

        @Override
        public void inc(long by) {
            n.addAndGet(by);
        }

        @Override
        public void dec() {
            n.decrementAndGet();
        }

        @Override
        public void dec(long by) {
            n.addAndGet(-by);
        }

        @Override
        public long getCount() {
            return n.get();
        }
    }

    private static final class Listener implements RemoteReadListener {
        private static final int WINDOW = 256;
        final Counter bytesFetched;
        final Counter requests;
        final Counter metadataRequests;
        final Counter hits;
        final Counter misses;
        final Counter retries;
        final AtomicLongArray latencies = new AtomicLongArray(WINDOW);
        final AtomicLong fetches = new AtomicLong();

        Listener(MetricGroup group, long cacheBytes) {
            bytesFetched = group.counter("bytesFetched", new AtomicCounter());
            requests = group.counter("requests", new AtomicCounter());
            metadataRequests = group.counter("metadataRequests", new AtomicCounter());
            hits = group.counter("cacheHits", new AtomicCounter());
            misses = group.counter("cacheMisses", new AtomicCounter());
            retries = group.counter("retries", new AtomicCounter());
            group.gauge("fetchLatencyMillis", this::meanLatencyMillis);
            group.gauge("cacheBytes", () -> RemoteReads.cache(cacheBytes).bytes());
        }

        double meanLatencyMillis() {
            long n = Math.min(fetches.get(), WINDOW);
            if (n == 0) {
                return 0;
            }
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += latencies.get(i);
            }
            return sum / (double) n / 1e6;
        }

        @Override
        public void fetched(long bytes, long nanos) {
            PROCESS_BYTES_FETCHED.addAndGet(bytes);
            bytesFetched.inc(bytes);
            requests.inc();
            latencies.set((int) (fetches.getAndIncrement() % WINDOW), nanos);
        }

        @Override
        public void metadataRequest() {
            metadataRequests.inc();
        }

        @Override
        public void cacheHit(long bytes) {
            hits.inc();
        }

        @Override
        public void cacheMiss(long bytes) {
            misses.inc();
        }

        @Override
        public void retried() {
            retries.inc();
        }
    }
}
