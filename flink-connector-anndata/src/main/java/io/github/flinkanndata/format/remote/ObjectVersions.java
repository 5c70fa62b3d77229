package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The versions of remote objects that one job holds on one node: when the job started reading
 * (this object's creation time) and the first-seen length and modification time of every object.
 * {@link RangeReader} fails with {@link ObjectChangedException} when an object
 *
 * <ul>
 *   <li>shows another version than the one first seen (it was replaced after the job read it), or
 *   <li>was modified after the job started reading, by more than the clock tolerance (it was
 *       replaced before the job first read <i>it</i>, but while the job read its store: a zarr
 *       store is many objects, and one rewritten chunk must not be mixed with the others).
 * </ul>
 *
 * <p>The second rule compares the file system's modification times with this process's clock;
 * the tolerance absorbs clock skew (and object stores round modification times to seconds). A
 * store must therefore not be written within the tolerance before a job starts reading it.
 * Thread-safe.
 */
@Internal
public final class ObjectVersions {
    /** Default clock tolerance: two seconds. */
    public static final long DEFAULT_TOLERANCE_MILLIS = 2_000;

    /**
     * First-seen versions kept at most (about 200 bytes each): past that, objects seen for the first
     * time are held to the start-time rule only, so that a job over millions of chunks does not
     * keep a status per chunk for its whole life.
     */
    static final int MAX_RECORDED = 500_000;

    private final long startedAtMillis;
    private final long toleranceMillis;
    private final ConcurrentMap<String, ObjectInfo> first = new ConcurrentHashMap<>();

    public ObjectVersions(long startedAtMillis, long toleranceMillis) {
        this.startedAtMillis = startedAtMillis;
        this.toleranceMillis = toleranceMillis;
    }

    /** Versions of a job that starts reading now, with the default tolerance. */
    public static ObjectVersions startingNow() {
        return new ObjectVersions(System.currentTimeMillis(), DEFAULT_TOLERANCE_MILLIS);
    }

    /** Versions that only compare first-seen versions (no start time): tools reading one store. */
    public static ObjectVersions firstSeenOnly() {
        return new ObjectVersions(Long.MAX_VALUE / 2, 0);
    }

    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** The first-seen version of the object at {@code uri}, or null. */
    ObjectInfo first(String uri) {
        return first.get(uri);
    }

    /**
     * Records {@code info} as seen now; returns null if it is acceptable, else the reason it is
     * not (for {@link RangeReader}'s message).
     */
    String check(ObjectInfo info) {
        ObjectInfo seen = first.size() < MAX_RECORDED ? first.putIfAbsent(info.uri(), info) : first.get(info.uri());
        if (seen != null && !seen.sameVersion(info)) {
            return "was " + seen.version() + ", now " + info.version();
        }
        if (!info.isDirectory() && info.modified() > startedAtMillis + toleranceMillis) {
            return "modified at " + info.modified() + ", after the job started reading at " + startedAtMillis;
        }
        return null;
    }
}
