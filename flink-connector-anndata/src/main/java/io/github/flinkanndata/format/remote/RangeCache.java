package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * A bounded, least-recently-used cache of byte ranges of remote objects, in memory, meant to be
 * shared by every reader of a node (the source keeps one per TaskManager). An entry is keyed by
 * the object's URI, <b>length and modification time</b> and the range's offset and length, so a
 * replaced object (a new length or modification time) can never be served from its predecessor's
 * bytes: its ranges simply miss.
 *
 * <p>A range larger than half the bound is not kept (it would evict everything else). Cached
 * arrays are shared: callers must not modify them. Thread-safe.
 */
@Internal
public final class RangeCache {
    private static final long ENTRY_OVERHEAD = 96; // key, entry and map node, measured roughly

    private static final class Key {
        final String uri;
        final long length;
        final long modified;
        final long offset;
        final int size;
        final int hash;

        Key(ObjectInfo object, long offset, int size) {
            this.uri = object.uri();
            this.length = object.length();
            this.modified = object.modified();
            this.offset = offset;
            this.size = size;
            this.hash = ((uri.hashCode() * 31 + Long.hashCode(offset)) * 31 + size) * 31 + Long.hashCode(modified);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return hash == k.hash && offset == k.offset && size == k.size && length == k.length
                    && modified == k.modified && uri.equals(k.uri);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, byte[]> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes; // guarded by this
    private long hits; // guarded by this
    private long misses; // guarded by this

    public RangeCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("range cache bound must be >= 0, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The cached bytes of a range, or null; counts a hit or a miss. */
    @Nullable
    public synchronized byte[] get(ObjectInfo object, long offset, int size) {
        byte[] b = entries.get(new Key(object, offset, size));
        if (b == null) {
            misses++;
        } else {
            hits++;
        }
        return b;
    }

    /** Whether the range is cached, without counting or touching it. */
    public synchronized boolean contains(ObjectInfo object, long offset, int size) {
        return entries.containsKey(new Key(object, offset, size));
    }

    /** Keeps {@code data} (exactly the range's bytes) unless it is larger than half the bound. */
    public synchronized void put(ObjectInfo object, long offset, byte[] data) {
        long weight = data.length + ENTRY_OVERHEAD;
        if (weight > maxBytes / 2) {
            return;
        }
        byte[] old = entries.put(new Key(object, offset, data.length), data);
        if (old != null) {
            bytes -= old.length + ENTRY_OVERHEAD;
        }
        bytes += weight;
        Iterator<Map.Entry<Key, byte[]>> it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            bytes -= it.next().getValue().length + ENTRY_OVERHEAD;
            it.remove();
        }
    }

    /** Bytes held now, overhead included; never above the bound. */
    public synchronized long bytes() {
        return bytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public synchronized void clear() {
        entries.clear();
        bytes = 0;
    }

    @Override
    public synchronized String toString() {
        return "RangeCache{" + entries.size() + " ranges, " + bytes + " of " + maxBytes + " bytes}";
    }
}
