package io.github.flinkanndata.source.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's bounded cache of remote stores: each store is copied whole into {@link #directory()}
 * the first time a reader or the enumerator needs it, and reused until it changes remotely (the
 * key covers every file's length and modification time) or is evicted.
 *
 * <p>Concurrency. One instance per directory and JVM ({@link #forDirectory}), shared by every
 * slot of a TaskManager. Threads asking for the same key wait for one download; different keys
 * download in parallel. Other processes sharing the directory (a JobManager beside a TaskManager)
 * are safe for downloads: an entry appears only by an atomic rename of a finished, fsynced
 * temporary folder, and the loser of a race deletes its own copy and uses the winner's.
 *
 * <p>Bound. Entries are evicted least recently used first so that the cache stays under {@code
 * maxBytes}, never one that is leased ({@link Lease}) here or, through a shared OS lock on the
 * entry ({@link EntryLock}), in another process: when every entry is in use the bound is exceeded
 * until leases are released. A store larger than the whole bound is refused. The byte account is
 * per process: a second process on the same directory counts the entries it created or used.
 */
@Internal
public final class StoreCache {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCache.class);
    private static final Map<Path, StoreCache> NODE = new ConcurrentHashMap<>();
    private static final long SELF = ProcessHandle.current().pid();

    private final Path directory;
    private final long maxBytes;
    private final int retries;
    private final Map<String, Object> keyLocks = new ConcurrentHashMap<>();
    // guarded by this; access order makes the first entry the least recently used
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long reserved;

    private static final class Entry {
        final String key;
        final Path folder;
        final Path store;
        final long bytes;
        int pins;
        // held while pins > 0, so other processes do not evict the entry
        @javax.annotation.Nullable EntryLock lock;

        Entry(String key, Path folder, Path store, long bytes) {
            this.key = key;
            this.folder = folder;
            this.store = store;
            this.bytes = bytes;
        }
    }

    /** The result of {@link #acquire}: a pinned local copy, and whether it had to be downloaded. */
    public final class Lease implements io.github.flinkanndata.collection.StoreResolver.Lease {
        private final Entry entry;
        private final long downloaded;
        private final boolean hit;
        private boolean released;

        private Lease(Entry entry, long downloaded, boolean hit) {
            this.entry = entry;
            this.downloaded = downloaded;
            this.hit = hit;
        }

        @Override
        public Path path() {
            return entry.store;
        }

        /** Bytes copied for this lease; 0 for a cache hit. */
        public long downloadedBytes() {
            return downloaded;
        }

        /** Whether a complete copy was already there (in this process or put by another one). */
        public boolean hit() {
            return hit;
        }

        @Override
        public void close() {
            synchronized (StoreCache.this) {
                if (released) {
                    return;
                }
                released = true;
                if (--entry.pins == 0 && entry.lock != null) {
                    entry.lock.release();
                    entry.lock = null;
                }
            }
            evictToBound(0);
        }

        @Override
        public String toString() {
            return entry.store.toString();
        }
    }

    StoreCache(Path directory, long maxBytes, int retries) throws IOException {
        this.directory = directory.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        this.retries = retries;
        Files.createDirectories(this.directory);
        recover();
        evictToBound(0);
    }

    /**
     * The cache of {@code directory} in this JVM, created (and cleaned of leftovers) on first use.
     * Later callers share it; their bound and retries are ignored if they differ, with a log line.
     */
    public static StoreCache forDirectory(Path directory, long maxBytes, int retries) throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        StoreCache existing = NODE.get(dir);
        if (existing == null) {
            synchronized (NODE) {
                existing = NODE.get(dir);
                if (existing == null) {
                    existing = new StoreCache(dir, maxBytes, retries);
                    NODE.put(dir, existing);
                }
            }
        }
        if (existing.maxBytes != maxBytes || existing.retries != retries) {
            LOG.info("store cache {} already runs with maxBytes={} and retries={}; keeping them", dir,
                    existing.maxBytes, existing.retries);
        }
        return existing;
    }

    public Path directory() {
        return directory;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes of the complete entries this process knows of. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Entries with at least one open lease (for tests and diagnostics). */
    public synchronized int leasedEntries() {
        return (int) entries.values().stream().filter(e -> e.pins > 0).count();
    }

    /**
     * A local copy of the store at {@code remote} (a Flink file system path), pinned until the
     * lease is closed. Lists the store first (its key), then returns a cached copy or downloads
     * one, retrying a failed download up to the configured number of times from scratch.
     *
     * @throws IOException naming the store if it cannot be listed or copied, or is larger than
     *     the cache's bound
     */
    public Lease acquire(org.apache.flink.core.fs.Path remote) throws IOException {
        RemoteStore store = withRetries(remote, "listing", () -> RemoteStore.list(remote));
        String key = store.key();
        synchronized (keyLocks.computeIfAbsent(key, k -> new Object())) {
            Lease hit = pinIfPresent(key);
            if (hit != null) {
                return hit;
            }
            reserve(store);
            long copied = 0;
            Entry entry;
            try {
                Path[] result = new Path[1];
                copied = withRetries(remote, "download", () -> download(store, key, result));
                entry = new Entry(key, result[0].getParent(), result[0], CacheFiles.size(result[0]));
            } finally {
                synchronized (this) {
                    reserved -= store.bytes;
                }
            }
            Lease lease;
            synchronized (this) {
                if (!pin(entry)) {
                    throw new IOException("cache entry " + entry.folder + " of " + remote
                            + " was evicted by another process right after it was written");
                }
                entries.put(key, entry);
                bytes += entry.bytes;
                lease = new Lease(entry, copied, false);
            }
            LOG.info("cached {} as {}", store, entry.store);
            evictToBound(0);
            return lease;
        }
    }

    /** A lease on a complete entry, in the index or put on disk by another process; else null. */
    private Lease pinIfPresent(String key) throws IOException {
        synchronized (this) {
            Entry e = entries.get(key);
            if (e != null) {
                if (pin(e)) {
                    CacheFiles.touch(e.folder);
                    return new Lease(e, 0, true);
                }
                // another process evicted it: forget it and download again
                entries.remove(key);
                bytes -= e.bytes;
            }
        }
        Path folder = directory.resolve(key);
        Path store = Files.isDirectory(folder) ? CacheFiles.storeOf(folder) : null;
        if (store == null) {
            return null;
        }
        Entry adopted = new Entry(key, folder, store, CacheFiles.size(store));
        synchronized (this) {
            if (!pin(adopted)) {
                return null;
            }
            entries.put(key, adopted);
            bytes += adopted.bytes;
            CacheFiles.touch(folder);
            return new Lease(adopted, 0, true);
        }
    }

    /**
     * Counts a lease on {@code e}, taking its shared lock first; false if the folder is gone.
     * Called under the monitor, like every change of pins and locks.
     */
    private boolean pin(Entry e) throws IOException {
        if (e.pins == 0) {
            EntryLock lock = EntryLock.share(e.folder);
            if (lock == null) {
                return false;
            }
            e.lock = lock;
        }
        e.pins++;
        return true;
    }

    /** Copies into a fresh temporary folder, then renames it into place; returns bytes copied. */
    private long download(RemoteStore store, String key, Path[] result) throws IOException {
        Path tmp = directory.resolve(".tmp-" + SELF + "-" + UUID.randomUUID());
        try {
            Files.createDirectory(tmp);
            long copied = TreeCopier.copy(store, tmp.resolve(store.name()));
            TreeCopier.syncDirectory(tmp);
            Path folder = directory.resolve(key);
            try {
                Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Linux reports a non-empty target as a plain "Directory not empty", so decide by
                // looking: if the entry is there, another process finished the same store first
                // and its copy is as good as ours
                if (!Files.isDirectory(folder)) {
                    throw raced;
                }
                CacheFiles.deleteTree(tmp);
                copied = 0;
            }
            TreeCopier.syncDirectory(directory);
            result[0] = CacheFiles.storeOf(folder);
            if (result[0] == null) {
                throw new IOException("cache entry " + folder + " is empty");
            }
            return copied;
        } catch (IOException | RuntimeException e) {
            CacheFiles.deleteQuietly(tmp);
            throw e;
        }
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private <T> T withRetries(org.apache.flink.core.fs.Path remote, String what, IoCall<T> call) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.call();
            } catch (java.io.FileNotFoundException e) {
                throw e; // a missing store does not appear by retrying
            } catch (IOException e) {
                if (attempt >= retries) {
                    throw new IOException(what + " of " + remote + " failed after " + (attempt + 1)
                            + " attempt(s): " + e.getMessage(), e);
                }
                LOG.warn("{} of {} failed (attempt {} of {}), retrying: {}", what, remote, attempt + 1,
                        retries + 1, e.toString());
                sleep(100L * (attempt + 1));
            }
        }
    }

    /** Makes room for a download of {@code store}, or refuses a store larger than the bound. */
    private void reserve(RemoteStore store) throws IOException {
        if (store.bytes > maxBytes) {
            throw new IOException("store " + store + " does not fit in the store cache of " + maxBytes
                    + " bytes (raise the store cache's max bytes)");
        }
        synchronized (this) {
            reserved += store.bytes;
        }
        evictToBound(0);
    }

    /** Evicts unleased entries, least recently used first, until the cache is under its bound. */
    private void evictToBound(long extra) {
        List<Path> trash = new ArrayList<>();
        synchronized (this) {
            Iterator<Entry> it = entries.values().iterator();
            while (bytes + reserved + extra > maxBytes && it.hasNext()) {
                Entry e = it.next();
                if (e.pins > 0) {
                    continue;
                }
                // renamed away under the monitor, so no thread can adopt the folder from disk after
                // it left the index, and under the entry's exclusive lock, so no other process is
                // reading it; the slow delete happens outside
                Path t = directory.resolve(".trash-" + SELF + "-" + UUID.randomUUID());
                try {
                    boolean moved = EntryLock.ifUnused(e.folder,
                            () -> Files.move(e.folder, t, StandardCopyOption.ATOMIC_MOVE));
                    if (!moved) {
                        LOG.debug("not evicting {}: another process is using it", e.folder);
                        continue;
                    }
                    trash.add(t);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // deleted by someone else: nothing to reclaim on disk
                } catch (IOException ex) {
                    LOG.warn("could not evict cache entry {}; keeping it", e.folder, ex);
                    continue;
                }
                LOG.info("evicting {} ({} bytes) from the store cache", e.store, e.bytes);
                it.remove();
                bytes -= e.bytes;
            }
            if (bytes + reserved + extra > maxBytes) {
                LOG.debug("store cache {} over its bound ({} + {} reserved > {}): the rest is in use", directory,
                        bytes, reserved, maxBytes);
            }
        }
        trash.forEach(CacheFiles::deleteQuietly);
    }

    /** Indexes the complete entries on disk, oldest use first, after deleting dead leftovers. */
    private void recover() throws IOException {
        for (Path folder : CacheFiles.recover(directory, SELF)) {
            Path store = CacheFiles.storeOf(folder);
            if (store != null) {
                Entry e = new Entry(folder.getFileName().toString(), folder, store, CacheFiles.size(store));
                entries.put(e.key, e);
                bytes += e.bytes;
            }
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to retry");
        }
    }

    @Override
    public String toString() {
        return "StoreCache{" + directory + ", maxBytes=" + maxBytes + "}";
    }
}
