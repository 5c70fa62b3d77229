package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import javax.annotation.Nullable;

/**
 * Reads one remote store by byte ranges: statuses and listings of its objects, single ranges, and
 * batches of ranges that are coalesced (neighbours closer than {@link
 * RemoteReadSettings#coalesceGapBytes()} become one request) and fetched concurrently on a bounded
 * pool ({@link RangeFetches}, which also lets a read wait for a fetch of its range already under
 * way). Every range goes through the node's {@link RangeCache} first. Directory listings are kept
 * in {@link Listings}, shared by the readers of a job on a node. Transient failures are retried
 * with doubling backoff; the last failure is reported with the store and the key.
 *
 * <p><b>Versions.</b> Every status seen is checked against {@link ObjectVersions} (the source
 * shares one per job and node, so every reader of the job holds every object to one version): a
 * status that differs from the first seen, an object modified after the job started reading, a
 * missing object that was there, or a fetch that finds the object shorter, fails with {@link
 * ObjectChangedException}. A fetch the file system verified ({@link ObjectStorage#readVerified}: a
 * read conditional on the object's entity tag, as S3 does it) is of the recorded version or
 * fails; after any other fetch the object's status is checked again (at most every {@link
 * RemoteReadSettings#validateIntervalMillis()}), so bytes of a replacement are never cached or
 * returned as bytes of the version the job started with: the bytes of a fetch came from the
 * recorded version if the status after it is still that version. Statuses come from a status
 * request per object ({@link #stat}) or from one listing of a directory ({@link #statListed}). (An object replaced by one of the same length within the same modification-time tick
 * cannot be told apart: file systems give no content hash through this interface.)
 *
 * <p>Why by hand: the zarr and zip readers need ranges of keys, the file-system clients below
 * (Flink's S3, GCS, HDFS file systems) give single streams; no library here coalesces and caches
 * ranges over an arbitrary file system. Thread-safe.
 */
@Internal
public final class RangeReader {
    /** A range of one object. */
    public static final class Range {
        final ObjectInfo object;
        final long offset;
        final int length;

        public Range(ObjectInfo object, long offset, int length) {
            this.object = object;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public String toString() {
            return object.key() + "[" + offset + ", +" + length + ")";
        }
    }

    private final ObjectStorage storage;
    private final RemoteReadSettings settings;
    private final RemoteReadListener listener;
    private final ObjectVersions versions;
    /** Statuses remembered at most; past that the memory starts over (a status is asked again). */
    static final int MAX_STATS = 100_000;

    private final ConcurrentMap<String, Optional<ObjectInfo>> stats = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Long> validatedAt = new ConcurrentHashMap<>();
    private final Listings listings;
    private final RangeFetches fetches;

    /**
     * @param pool runs the requests of a batch concurrently; null fetches them one after another
     * @param versions the job's start and the first-seen version of each object, shared by the
     *     readers that must agree on versions (one job on one node)
     */
    public RangeReader(ObjectStorage storage, RangeCache cache, @Nullable Executor pool, RemoteReadSettings settings,
            RemoteReadListener listener, ObjectVersions versions) {
        this(storage, cache, pool, settings, listener, versions, new Listings());
    }

    /** As above, with listings shared with other readers (of one job on one node). */
    public RangeReader(ObjectStorage storage, RangeCache cache, @Nullable Executor pool, RemoteReadSettings settings,
            RemoteReadListener listener, ObjectVersions versions, Listings listings) {
        this.listings = listings;
        this.storage = storage;
        this.settings = settings;
        this.listener = listener;
        this.versions = versions;
        this.fetches = new RangeFetches(storage.location(), cache, pool, settings, listener, this::fetch);
    }

    /** A reader with its own cache and version map, fetching on the caller's thread (tests, tools). */
    public static RangeReader simple(ObjectStorage storage, long cacheBytes) {
        return new RangeReader(storage, new RangeCache(cacheBytes), null, RemoteReadSettings.DEFAULTS,
                RemoteReadListener.NONE, ObjectVersions.firstSeenOnly());
    }

    public String location() {
        return storage.location();
    }

    /**
     * The status of {@code key} (empty: the root), or null if nothing is there; asked of the file
     * system once per key and reader, then remembered.
     */
    @Nullable
    public ObjectInfo stat(String key) throws IOException {
        Optional<ObjectInfo> known = stats.get(key);
        if (known != null) {
            return checked(key, known.orElse(null));
        }
        long asked = System.currentTimeMillis();
        Listings.Stater ask = () -> retrying(key, () -> {
            listener.metadataRequest();
            return Optional.ofNullable(storage.stat(key));
        });
        // the root: asked once per Listings (every reader of a job on a node opens the store)
        ObjectInfo info = (key.isEmpty() ? listings.root(location(), ask) : ask.stat()).orElse(null);
        if (info != null) {
            record(info);
            validatedAt.putIfAbsent(info.uri(), asked); // a status is a check of the version too
        }
        remember(key, Optional.ofNullable(info));
        return info;
    }

    /**
     * The children of the directory at {@code key}, their statuses remembered as by {@link #stat}.
     * A child whose version differs from the one the job saw first (or that was modified after the
     * job started) does not fail the listing: it fails when it is asked for ({@link #stat}, {@link
     * #statListed}), so that a listing never fails a read for an object the read does not need.
     */
    public List<ObjectInfo> list(String key) throws IOException {
        List<ObjectInfo> children = retrying(key, () -> {
            listener.metadataRequest();
            return storage.list(key);
        });
        for (ObjectInfo c : children) {
            if (!stats.containsKey(c.key())) {
                remember(c.key(), Optional.of(c));
            }
        }
        return children;
    }

    /**
     * The children of the directory at {@code key} as {@link #list} gives them, from the listing
     * {@link #statListed} shares ({@link Listings}: once per job and node where the source shares
     * them), in no particular order.
     */
    public List<ObjectInfo> listed(String key) throws IOException {
        return new java.util.ArrayList<>(listings.directory(location(), key, this::list).values());
    }

    /**
     * The status of {@code key} as the listing of its directory gives it, or null if the listing
     * has no such object: the directory is listed once per {@link Listings} (a listing is one
     * request per page of up to a thousand objects on S3; the source shares the listings of a job
     * on a node), after which the status of every object in it is known without a request. A zarr store asks for its chunks this way, so that a chunk costs its
     * range request only, and a chunk that is not stored (the fill value) costs nothing.
     *
     * <p>An object created in a listed directory after the listing is not seen by the readers
     * sharing it (a new job lists again); an object replaced after it is not served either:
     * its new version differs from the listed one, which a conditional read refuses and the
     * status after an unconditional read reports ({@link #read}).
     */
    @Nullable
    public ObjectInfo statListed(String key) throws IOException {
        Optional<ObjectInfo> known = stats.get(key);
        if (known != null) {
            return checked(key, known.orElse(null));
        }
        int slash = key.lastIndexOf('/');
        String dir = slash < 0 ? "" : key.substring(0, slash);
        Map<String, ObjectInfo> listing = listings.directory(location(), dir, this::list);
        ObjectInfo info = listing.get(key);
        if (info == null) {
            return null;
        }
        return checked(key, info);
    }

    /**
     * As {@link #statListed}, from one recursive listing of {@code root} (a directory above {@code
     * key}) if the file system lists recursively ({@link ObjectStorage#listsRecursively}): a zarr v3
     * array with the '/' chunk key separator has a directory per row of chunks ({@code X/c/<row>/}),
     * listed once each by {@link #statListed}; listing {@code X/c} recursively is one paged request
     * for all of them. Otherwise (Flink's own {@code FileSystem} API has no recursive listing) the
     * directory of {@code key} is listed, as by {@link #statListed}.
     */
    @Nullable
    public ObjectInfo statListedBelow(String root, String key) throws IOException {
        if (!storage.listsRecursively() || !key.startsWith(root + "/")) {
            return statListed(key);
        }
        Optional<ObjectInfo> known = stats.get(key);
        if (known != null) {
            return checked(key, known.orElse(null));
        }
        ObjectInfo info = listings.directory(location(), root + "\0recursive", dir -> listRecursive(root)).get(key);
        return info == null ? null : checked(key, info);
    }

    private List<ObjectInfo> listRecursive(String key) throws IOException {
        return retrying(key, () -> {
            listener.metadataRequest();
            return storage.listRecursive(key);
        });
    }

    /** {@code info}, held to the job's versions (a map look-up: every answer is checked). */
    @Nullable
    private ObjectInfo checked(String key, @Nullable ObjectInfo info) throws ObjectChangedException {
        if (info != null) {
            String problem = versions.check(info);
            if (problem != null) {
                throw changed(key, info, problem);
            }
        }
        return info;
    }

    private void remember(String key, Optional<ObjectInfo> info) {
        if (stats.size() >= MAX_STATS) {
            stats.clear(); // versions stay held by the ObjectVersions; only requests are saved here
            validatedAt.clear();
        }
        stats.put(key, info);
    }

    /** Records the first-seen version of an object; fails if another was seen before. */
    private void record(ObjectInfo info) throws ObjectChangedException {
        String problem = versions.check(info);
        if (problem != null) {
            throw changed(info.key(), info, problem);
        }
    }

    private ObjectChangedException changed(String key, ObjectInfo object, String how, Throwable cause) {
        return new ObjectChangedException(changed(key, object, how).getMessage(), cause);
    }

    private ObjectChangedException changed(String key, ObjectInfo object, String how) {
        return new ObjectChangedException("store " + location() + ": '" + (key.isEmpty() ? object.name() : key)
                + "' changed while the job reads it (" + how
                + "); rows of two versions are never mixed: restart the job to read the new version");
    }

    /** Exactly the bytes {@code [offset, offset + length)} of {@code object}: cached, or fetched. */
    public byte[] read(ObjectInfo object, long offset, int length) throws IOException {
        checkBounds(object, offset, length);
        return fetches.read(object, offset, length);
    }

    /** The whole object (one range). */
    public byte[] readAll(ObjectInfo object) throws IOException {
        if (object.length() > Integer.MAX_VALUE - 16) {
            throw new IOException("store " + location() + ": '" + object.key() + "' is too large to read whole: "
                    + object.length() + " bytes");
        }
        return read(object, 0, (int) object.length());
    }

    /**
     * Fetches every range that is not cached into the cache, in as few requests as coalescing
     * allows, concurrently; returns once all are there (or failed). Ranges larger than the cache
     * can keep are fetched in vain, so callers keep batches well below the cache's bound.
     */
    public void prefetch(List<Range> ranges) throws IOException {
        for (Range r : ranges) {
            checkBounds(r.object, r.offset, r.length);
        }
        fetches.prefetch(ranges);
    }

    private void checkBounds(ObjectInfo object, long offset, int length) throws EOFException {
        if (offset < 0 || length < 0 || offset > object.length() - length) {
            throw new EOFException("store " + location() + ": '" + object.key() + "' has " + object.length()
                    + " bytes, cannot read " + length + " bytes at offset " + offset);
        }
    }

    /** One range from the file system, retried; its object's version checked after it. */
    private byte[] fetch(ObjectInfo object, long offset, int length) throws IOException {
        byte[] out = new byte[length];
        boolean verified;
        try {
            verified = retrying(object.key(), () -> {
                long t0 = System.nanoTime();
                boolean v = storage.readVerified(object, offset, out, 0, length);
                listener.fetched(length, System.nanoTime() - t0);
                return v;
            });
        } catch (ObjectChangedException e) {
            // a conditional read refused: the object is not the version listed any more
            throw changed(object.key(), object, "was " + object.version() + ", the file system refused to read"
                    + " that version: " + e.getMessage(), e);
        } catch (EOFException | FileNotFoundException e) {
            // shorter than its status said, or gone: replaced (or truncated) after it was listed
            ObjectInfo now = freshStat(object.key());
            throw changed(object.key(), object, "was " + object.version() + ", now "
                    + (now == null ? "gone" : now.version()) + ": " + e.getMessage());
        }
        if (!verified) {
            validate(object);
        }
        return out;
    }

    /**
     * Checks, unless its version was confirmed less than the validate interval ago (by a status or
     * an earlier check), that the object still has the version read. With the default interval 0
     * every fetch is followed by a status request.
     */
    private void validate(ObjectInfo object) throws IOException {
        long now = System.currentTimeMillis();
        Long last = validatedAt.get(object.uri());
        if (last != null && now - last < settings.validateIntervalMillis()) {
            return;
        }
        ObjectInfo current = freshStat(object.key());
        if (current == null || !current.sameVersion(object)) {
            throw changed(object.key(), object, "was " + object.version() + ", now "
                    + (current == null ? "gone" : current.version()));
        }
        validatedAt.put(object.uri(), now);
    }

    @Nullable
    private ObjectInfo freshStat(String key) throws IOException {
        return retrying(key, () -> {
            listener.metadataRequest();
            return Optional.ofNullable(storage.stat(key));
        }).orElse(null);
    }

    private interface Attempt<T> {
        T run() throws IOException;
    }

    private <T> T retrying(String key, Attempt<T> attempt) throws IOException {
        IOException last = null;
        for (int i = 0; i <= settings.retries(); i++) {
            if (i > 0) {
                listener.retried();
                try {
                    Thread.sleep(settings.backoffMillis() << Math.min(i - 1, 16));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("store " + location() + ": interrupted while retrying '" + key + "'");
                }
            }
            try {
                return attempt.run();
            } catch (IOException e) {
                if (!storage.isTransient(e)) {
                    if (e instanceof EOFException || e instanceof FileNotFoundException
                            || e instanceof ObjectChangedException || e instanceof InterruptedIOException) {
                        throw e;
                    }
                    throw new IOException("store " + location() + ": '" + (key.isEmpty() ? "(the store itself)" : key)
                            + "': " + e, e);
                }
                last = e;
            } catch (RuntimeException e) {
                // file-system clients wrap their own failures in unchecked exceptions too
                last = new IOException(e.toString(), e);
            }
        }
        throw new IOException("store " + location() + ": '" + (key.isEmpty() ? "(the store itself)" : key)
                + "' failed after " + (settings.retries() + 1) + " attempts: " + last.getMessage(), last);
    }

    @Override
    public String toString() {
        return "RangeReader(" + location() + ")";
    }
}
