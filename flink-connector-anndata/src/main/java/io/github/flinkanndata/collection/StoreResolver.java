package io.github.flinkanndata.collection;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.tree.ContainerOptions;
import java.io.IOException;
import io.github.flinkanndata.format.remote.RangeReader;
import java.nio.file.Path;
import javax.annotation.Nullable;

/**
 * Turns a store path as the user wrote it (a local path, or a URI such as {@code s3://b/a.h5ad})
 * into a local path the format layer can open. The collection asks once per store it opens and
 * releases the {@link Lease} when it closes the store, so an implementation that copies remote
 * stores into a local cache knows which copies are in use and must not be deleted.
 *
 * <p>This layer knows no file systems beyond {@code java.nio}: {@link #LOCAL} reads local paths
 * and {@code file:} URIs ({@link StoreLocation}); the source supplies an implementation backed
 * by Flink's {@code FileSystem} for the other schemes. Implementations must be safe to call from
 * several threads.
 */
@FunctionalInterface
@Internal
public interface StoreResolver {
    /** Local paths and {@code file:} URIs, nothing copied or pinned: the behaviour without a resolver. */
    StoreResolver LOCAL = path -> {
        Path local = StoreLocation.local(path);
        if (local == null) {
            throw new IOException("scheme '" + StoreLocation.scheme(path) + "' needs a Flink file system: remote"
                    + " stores are read by the AnnData source, or by AnnDataCollection.open with its StoreResolver");
        }
        return Lease.unpinned(local);
    };

    /**
     * A local path for {@code path}, valid until the lease is closed.
     *
     * @throws IOException naming the store if it cannot be reached or copied
     */
    Lease resolve(String path) throws IOException;

    /** As {@link #resolve}, with an I/O failure turned into a format error naming the store. */
    default Lease lease(String path) throws AnnDataFormatException {
        try {
            return resolve(path);
        } catch (IOException e) {
            throw new AnnDataFormatException(path, null, "cannot fetch the store: " + e.getMessage(), e);
        }
    }

    /**
     * Opens the store behind {@code lease}; an error in a copy names the path the user gave (and,
     * in its message, the copy), since that is the store to fix. The caller closes both.
     */
    static AnnDataStore open(String path, Lease lease, ContainerOptions options) throws AnnDataFormatException {
        RangeReader remote = lease.remote();
        if (remote != null) {
            return AnnDataStore.open(remote, options); // read in place: errors name the remote store
        }
        try {
            return AnnDataStore.open(lease.path(), options);
        } catch (AnnDataFormatException e) {
            if (lease.path().equals(StoreLocation.local(path))) {
                throw e; // the store itself (a file: URI is its local path), not a copy
            }
            throw new AnnDataFormatException(path, e.element(), "in its local copy: " + e.getMessage(), e);
        }
    }

    /**
     * A local copy (or the original) of one store, held while the store is open; or, for a
     * remote store read in place, the reader of its byte ranges ({@link #remote()}).
     */
    interface Lease extends AutoCloseable {
        /**
         * The local file or directory to open.
         *
         * @throws UnsupportedOperationException for a remote store read in place ({@link #remote()})
         */
        Path path();

        /** The range reader of a remote store read in place, or null when {@link #path()} is to be opened. */
        @Nullable
        default RangeReader remote() {
            return null;
        }

        /** A lease on a remote store that is read in place, by ranges. */
        static Lease inPlace(RangeReader reader) {
            return new Lease() {
                @Override
                public Path path() {
                    throw new UnsupportedOperationException(reader.location() + " is read in place, it has no local path");
                }

                @Override
                public RangeReader remote() {
                    return reader;
                }

                @Override
                public void close() {}

                @Override
                public String toString() {
                    return reader.location() + " (in place)";
                }
            };
        }

        /** Releases the copy; idempotent, never throws. */
        @Override
        void close();

        /** A lease on a path nothing needs to keep alive. */
        static Lease unpinned(Path path) {
            return new Lease() {
                @Override
                public Path path() {
                    return path;
                }

                @Override
                public void close() {}

                @Override
                public String toString() {
                    return path.toString();
                }
            };
        }
    }
}
