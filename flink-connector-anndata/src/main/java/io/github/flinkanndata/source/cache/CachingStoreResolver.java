package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.collection.StoreLocation;
import io.github.flinkanndata.collection.StoreResolver;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The source's {@link StoreResolver}: a path without a scheme or with {@code file:} is opened
 * where it is (nothing copied, {@link StoreLocation}); any other scheme Flink has a {@code FileSystem} for ({@code s3},
 * {@code hdfs}, {@code gs}, a plugin's own) goes through the node's {@link StoreCache}, created
 * on the first remote store so that purely local jobs never touch the cache directory.
 *
 * <p>One instance per enumerator or reader, with its own metrics in the group {@code storeCache}:
 * {@code hits}, {@code misses}, {@code bytesDownloaded} (counters) and {@code bytes} (the node
 * cache's size, a gauge). Thread-safe.
 */
@Internal
public final class CachingStoreResolver implements StoreResolver {
    /** The metric group the counters live in. */
    public static final String METRIC_GROUP = "storeCache";

    private final CacheSettings settings;
    private final Path defaultRoot;
    private final Counter hits;
    private final Counter misses;
    private final Counter bytesDownloaded;
    @Nullable private volatile StoreCache cache;

    /**
     * @param tmpDir the node's temporary directory, the cache's parent when the settings name
     *     no directory
     * @param metrics the operator's (or coordinator's) metric group
     */
    public CachingStoreResolver(CacheSettings settings, String tmpDir, MetricGroup metrics) {
        this.settings = settings;
        this.defaultRoot = Paths.get(tmpDir, CacheSettings.DEFAULT_FOLDER);
        MetricGroup group = metrics.addGroup(METRIC_GROUP);
        this.hits = group.counter("hits");
        this.misses = group.counter("misses");
        this.bytesDownloaded = group.counter("bytesDownloaded");
        group.gauge("bytes", () -> {
            StoreCache c = cache;
            return c == null ? 0L : c.bytes();
        });
    }

    /** Whether {@code path} names a store that must be copied before it can be opened. */
    public static boolean isRemote(String path) {
        return StoreLocation.isRemote(path);
    }

    @Override
    public Lease resolve(String path) throws IOException {
        Path local = StoreLocation.local(path);
        if (local != null) {
            return Lease.unpinned(local);
        }
        // a missing file system is no failed download: say which plugin is missing, without retries
        StorePaths.requireFileSystem(path);
        StoreCache.Lease lease = cache().acquire(new org.apache.flink.core.fs.Path(path));
        if (lease.hit()) {
            hits.inc();
        } else {
            misses.inc();
            bytesDownloaded.inc(lease.downloadedBytes());
        }
        return lease;
    }

    private StoreCache cache() throws IOException {
        StoreCache c = cache;
        if (c == null) {
            synchronized (this) {
                c = cache;
                if (c == null) {
                    Path dir = settings.directory() == null ? defaultRoot : Paths.get(settings.directory());
                    c = StoreCache.forDirectory(dir, settings.maxBytes(), settings.downloadRetries());
                    cache = c;
                }
            }
        }
        return c;
    }

    @Override
    public String toString() {
        return "CachingStoreResolver{" + settings + "}";
    }
}
