package io.github.flinkanndata.format.zarr;

import io.github.flinkanndata.format.remote.ObjectInfo;
import io.github.flinkanndata.format.remote.RangeReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.annotation.Nullable;

/**
 * A zarr directory store on a remote file system, read in place: each key is an object below the
 * root, read whole (metadata documents, chunks) or by range (shard indexes, inner chunks), through
 * a {@link RangeReader} and so through the node's range cache. Nothing is copied to local disk.
 *
 * <p>What a key holds (its length and version, or nothing) comes from one listing of its
 * directory ({@link RangeReader#statListed}), not from a status request per key: reading a chunk
 * costs its range request only, and a chunk the listing does not show reads as the fill value
 * without any request, as zarr specifies for chunks that are not stored. The chunks of a v3 array
 * with the '/' separator, a directory per row of chunks, come from one recursive listing of the
 * array's {@code c} directory where the file system offers one ({@link #chunkDirectory}).
 *
 * <p>Thread-safe, as the reader is.
 */
final class RemoteZarrStore implements ZarrStore {
    private final RangeReader reader;

    RemoteZarrStore(RangeReader reader) {
        this.reader = reader;
    }

    @Nullable
    private ObjectInfo file(String key) throws IOException {
        StoreKeys.check(key);
        String chunks = chunkDirectory(key);
        ObjectInfo info = chunks == null ? reader.statListed(key) : reader.statListedBelow(chunks, key);
        return info == null || info.isDirectory() ? null : info;
    }

    /**
     * For a zarr v3 chunk key with the '/' separator spread over directories ({@code X/c/3/0}: a
     * directory per row of chunks), the directory all the array's chunks are below ({@code X/c}),
     * listed once recursively where the file system can ({@link RangeReader#statListedBelow});
     * else null (metadata documents, v2 keys, chunks of 1-D arrays, which share one directory
     * anyway). Only chunk keys end in two or more numeric segments after a {@code c} segment.
     */
    @Nullable
    static String chunkDirectory(String key) {
        String[] parts = key.split("/", -1);
        int numeric = 0;
        for (int i = parts.length - 1; i >= 0; i--) {
            if (parts[i].equals("c") && numeric >= 2) {
                return String.join("/", java.util.Arrays.asList(parts).subList(0, i + 1));
            }
            if (parts[i].isEmpty() || !parts[i].chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                return null;
            }
            numeric++;
        }
        return null;
    }

    @Nullable
    @Override
    public byte[] read(String key) throws IOException {
        ObjectInfo info = file(key);
        return info == null ? null : reader.readAll(info);
    }

    @Override
    public long size(String key) throws IOException {
        ObjectInfo info = file(key);
        return info == null ? -1 : info.length();
    }

    @Override
    public byte[] readRange(String key, long offset, int length) throws IOException {
        ObjectInfo info = file(key);
        if (info == null) {
            throw new FileNotFoundException("store " + reader.location() + ": no key '" + key + "'");
        }
        return reader.read(info, offset, length);
    }

    @Override
    public boolean prefetches() {
        return true;
    }

    /** Fetches whole keys ({@code length < 0}) and ranges concurrently into the range cache. */
    @Override
    public void prefetch(List<String> keys, long[] offsets, int[] lengths) throws IOException {
        List<RangeReader.Range> ranges = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            ObjectInfo info = file(keys.get(i));
            if (info == null) {
                continue; // absent: reads as fill, the read itself says so
            }
            if (lengths[i] < 0) {
                if (info.length() <= Integer.MAX_VALUE - 16) {
                    ranges.add(new RangeReader.Range(info, 0, (int) info.length()));
                }
            } else if (offsets[i] >= 0 && offsets[i] <= info.length() - lengths[i]) {
                ranges.add(new RangeReader.Range(info, offsets[i], lengths[i]));
            }
        }
        reader.prefetch(ranges);
    }

    @Override
    public List<String> listDirectories(String prefix) throws IOException {
        StoreKeys.check(prefix);
        List<String> names = new ArrayList<>();
        for (ObjectInfo c : reader.listed(prefix)) {
            if (c.isDirectory()) {
                names.add(c.name());
            }
        }
        return names;
    }

    /** Lists level by level (object stores list one "directory" per request). */
    @Nullable
    @Override
    public List<String> listKeys(String prefix, int maxDepth, int maxKeys) throws IOException {
        StoreKeys.check(prefix);
        String head = prefix.isEmpty() ? "" : prefix + "/";
        List<String> keys = new ArrayList<>();
        Deque<String[]> dirs = new ArrayDeque<>(); // {key, depth}
        dirs.add(new String[] {prefix, "0"});
        int seen = 0;
        while (!dirs.isEmpty()) {
            String[] d = dirs.poll();
            int depth = Integer.parseInt(d[1]);
            for (ObjectInfo c : reader.listed(d[0])) {
                if (++seen > maxKeys) {
                    return null;
                }
                if (c.isDirectory()) {
                    if (depth + 1 < maxDepth) {
                        dirs.add(new String[] {c.key(), String.valueOf(depth + 1)});
                    }
                } else if (c.key().startsWith(head)) {
                    keys.add(c.key().substring(head.length()));
                }
            }
        }
        return keys;
    }

    @Override
    public void close() {
        // nothing held: the range cache belongs to the node
    }

    @Override
    public String toString() {
        return "RemoteZarrStore(" + reader.location() + ")";
    }
}
