package io.github.flinkanndata.tools.cli;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.cache.StorePaths;
import io.github.flinkanndata.source.cache.CacheSettings;
import io.github.flinkanndata.source.cache.StoreResolvers;
import java.io.IOException;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * How every command reaches its stores: paths as the source reads them — local paths, {@code
 * file:} URIs, and any scheme Flink has a file system for, read in place by byte ranges as the
 * source reads them by default (docs/remote.md) — checked before anything is opened ({@link
 * StorePaths#check}), so that a missing file or a scheme without its plugin fails at once with one
 * line, also before a job is submitted.
 */
public final class Stores {
    private static final CacheSettings DEFAULTS = new CacheSettings(null,
            AnnDataSourceOptions.STORE_CACHE_MAX_BYTES.defaultValue().getBytes(),
            AnnDataSourceOptions.STORE_CACHE_DOWNLOAD_RETRIES.defaultValue());
    private static final StoreResolver RESOLVER = StoreResolvers.create(
            DEFAULTS, System.getProperty("java.io.tmpdir"), new UnregisteredMetricsGroup());

    private Stores() {}

    /** Checks the paths; {@link IllegalArgumentException} naming the first bad one. */
    public static void check(List<String> paths) {
        StorePaths.check(paths);
    }

    /** Checks the paths, then opens (plans) the collection as the source's enumerator would. */
    public static AnnDataCollection open(CollectionOptions options) throws AnnDataFormatException {
        check(options.paths());
        return AnnDataCollection.open(options, RESOLVER);
    }

    /** As {@link #open(CollectionOptions)}, remote stores read as {@code remote} says ({@code --remote-*}). */
    public static AnnDataCollection open(CollectionOptions options, CacheSettings remote) throws AnnDataFormatException {
        check(options.paths());
        StoreResolver resolver = remote.equals(DEFAULTS) ? RESOLVER
                : StoreResolvers.create(remote, System.getProperty("java.io.tmpdir"), new UnregisteredMetricsGroup());
        return AnnDataCollection.open(options, resolver);
    }

    /** One store, open until {@link Store#close()}. */
    public static Store store(String path) throws AnnDataFormatException {
        check(List.of(path));
        StoreResolver.Lease lease = RESOLVER.lease(path);
        try {
            return new Store(StoreResolver.open(path, lease, ContainerOptions.defaults()), lease);
        } catch (AnnDataFormatException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** An open store and the lease on its local copy (the store itself for a local path). */
    public static final class Store implements AutoCloseable {
        private final AnnDataStore store;
        private final StoreResolver.Lease lease;

        Store(AnnDataStore store, StoreResolver.Lease lease) {
            this.store = store;
            this.lease = lease;
        }

        public AnnDataStore get() {
            return store;
        }

        @Override
        public void close() throws IOException {
            try {
                store.close();
            } finally {
                lease.close();
            }
        }
    }
}
