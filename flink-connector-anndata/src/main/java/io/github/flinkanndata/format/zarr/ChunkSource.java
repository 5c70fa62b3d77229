package io.github.flinkanndata.format.zarr;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ChunkCache;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import javax.annotation.Nullable;

/**
 * Supplies the decoded chunks of one array by their coordinates in the read grid (the chunk grid,
 * or the inner-chunk grid of a sharded array), through the container's {@link ChunkCache}.
 *
 * <p>Cache keys are the array path and the chunk's linear index in the read grid, so inner chunks
 * of shards are cached individually. Shard indexes are cached too, under the array path plus a
 * suffix that no validated node path can contain, keyed by the shard's linear index. A chunk or
 * shard that is not stored is cached as a small marker, so sparse arrays do not probe the store
 * again and again.
 *
 * <p>For a sharded array only the shard index and the needed inner chunks are read, by range.
 *
 * <p>Thread-safe: two threads may decode the same chunk at once; both results are equal and the
 * cache keeps one.
 */
final class ChunkSource {

    private static final Object MISSING = new Object();

    /**
     * Heap an entry for a chunk that is not stored really takes in the cache: its key, the entry
     * and the map's node (measured: about 120 bytes). Weighed at 16, a read across millions of
     * absent chunks kept several times the cache's budget alive.
     */
    private static final long MISSING_WEIGHT = 128;

    /**
     * Chunks a read may span before the array's stored files are listed. Up to this many, each
     * chunk is probed in the store (a key, a path, a file check: about 270 bytes); a read across
     * more (a long row of small chunks, most of them not stored, which zarr reads as fill) first
     * lists what the store holds under the array, once, so that a chunk it does not hold costs
     * nothing (the reader fuzzer found reads spanning 98,000 and 229,000 absent chunks allocating
     * several times their slab). Ordinary reads span a few chunks and never list.
     */
    static final long LIST_ABOVE_CHUNKS = 256;

    /**
     * Most entries a listing reads (2^18, a few MB while it runs): an array stored in more files
     * than that is probed chunk by chunk, as before listings existed.
     */
    static final int MAX_LISTED = 1 << 18;
    private static final String SHARD_INDEX_SUFFIX = "\0shard-index";

    private final ZarrStore store;
    private final ChunkCache cache;
    private final String location;
    private final String path;
    private final ArrayMetadata meta;
    private final int[] readShape;
    private final long[] readGrid;
    @Nullable private final ShardingSpec sharding;
    private final int[] innerPerShard;
    private final long[] shardGrid;
    /**
     * The linear indexes (in the grid of the files: chunks, or shards when sharded) of the files
     * the store holds for this array, sorted; null until listed, and for good if the store cannot
     * list. The metadata was read once at opening; so is this, at the first long read.
     */
    @Nullable private volatile long[] storedFiles;
    private volatile boolean listed;

    ChunkSource(
            ZarrStore store, ChunkCache cache, String location, String path, ArrayMetadata meta) {
        this.store = store;
        this.cache = cache;
        this.location = location;
        this.path = path;
        this.meta = meta;
        this.readShape = meta.readShape();
        this.readGrid = grid(meta.shape, readShape);
        this.sharding = meta.pipeline.sharding();
        this.innerPerShard =
                sharding == null ? new int[0] : sharding.innerPerShard(meta.chunkShape);
        this.shardGrid = grid(meta.shape, meta.chunkShape);
    }

    private static long[] grid(long[] shape, int[] chunk) {
        long[] g = new long[shape.length];
        for (int d = 0; d < g.length; d++) {
            g[d] = (shape[d] + chunk[d] - 1) / chunk[d];
        }
        return g;
    }

    private static long linear(long[] coords, long[] grid) {
        long index = 0;
        for (int d = 0; d < coords.length; d++) {
            index = index * grid[d] + coords[d];
        }
        return index;
    }

    /** The decoded chunk at read-grid coordinates, or null if it reads as fill. */
    @Nullable
    Object chunk(long[] coords) throws AnnDataFormatException {
        return chunk(coords, false);
    }

    /**
     * Called before a read that spans {@code chunks} chunks: a long one lists the array's stored
     * files first (see {@link #LIST_ABOVE_CHUNKS}).
     */
    void beforeRead(long chunks) {
        if (chunks > LIST_ABOVE_CHUNKS && !listed) {
            listStoredFiles();
        }
    }

    /** Whether {@link #prefetch} does anything (a remote store). */
    boolean prefetches() {
        return store.prefetches();
    }

    /**
     * Most chunks a read prefetches from a remote store (beyond that it reads as it goes); not
     * above {@link #LIST_ABOVE_CHUNKS}, the most that {@code ZarrArray} counts exactly.
     */
    static final long PREFETCH_MAX_CHUNKS = LIST_ABOVE_CHUNKS;

    /**
     * Called before a read of the chunks in the box {@code first..last} (read-grid coordinates,
     * inclusive), {@code spanned} of them: a remote store fetches those that are not cached
     * concurrently, coalesced (for a sharded array the shard indexes first, then the inner
     * chunks' ranges). Only a hint: a failure here is left for the read itself to report.
     *
     * @param single whether a box of one chunk is prefetched too: yes when asked by the caller
     *     ({@code ArrayNode#prefetch}: the source's prefetch thread fetching a split's blocks ahead
     *     of the decode threads); a read's own prefetch of one chunk would only cost what the read
     *     costs
     */
    void prefetch(long[] first, long[] last, long spanned, boolean single) {
        if (!store.prefetches() || spanned < (single ? 1 : 2) || spanned > PREFETCH_MAX_CHUNKS) {
            return;
        }
        int rank = first.length;
        List<String> keys = new java.util.ArrayList<>();
        long[] offsets = new long[(int) spanned];
        int[] lengths = new int[(int) spanned];
        long[] coords = first.clone();
        try {
            while (true) {
                if (mayBeStored(coords) && cache.get(new ChunkCache.Key(path, linear(coords, readGrid))) == null) {
                    if (sharding == null) {
                        lengths[keys.size()] = -1;
                        keys.add(meta.keys.key(path, coords));
                    } else {
                        long[] shard = shardOf(coords);
                        int inner = innerIndex(coords);
                        String key = meta.keys.key(path, shard);
                        ShardIndex index = shardIndex(shard, key);
                        if (!index.isEmpty(inner)) {
                            offsets[keys.size()] = index.offset(inner);
                            lengths[keys.size()] = index.length(inner);
                            keys.add(key);
                        }
                    }
                }
                int d = rank - 1;
                while (d >= 0 && coords[d] == last[d]) {
                    coords[d] = first[d];
                    d--;
                }
                if (d < 0) {
                    break;
                }
                coords[d]++;
            }
            if (keys.size() > (single ? 0 : 1)) {
                store.prefetch(keys, offsets, lengths);
            }
        } catch (IOException | CodecException | RuntimeException e) {
            // the read that follows fetches (and fails) chunk by chunk, naming the chunk
        }
    }

    private synchronized void listStoredFiles() {
        if (listed) {
            return;
        }
        try {
            long[] grid = sharding == null ? readGrid : shardGrid;
            List<String> keys = store.listKeys(path, meta.keys.depth(grid.length), MAX_LISTED);
            if (keys != null) {
                long[] found = new long[keys.size()];
                int n = 0;
                for (String k : keys) {
                    long[] c = meta.keys.coords(k, grid.length);
                    if (c != null && inside(c, grid)) {
                        found[n++] = linear(c, grid);
                    }
                }
                found = Arrays.copyOf(found, n);
                Arrays.sort(found);
                storedFiles = found;
            }
        } catch (IOException | RuntimeException e) {
            // the listing only saves probes: without it every chunk is probed, as before
        }
        listed = true;
    }

    private static boolean inside(long[] coords, long[] grid) {
        for (int d = 0; d < coords.length; d++) {
            if (coords[d] >= grid[d]) {
                return false;
            }
        }
        return true;
    }

    /** False only if the listing shows that the file holding this chunk is not stored. */
    private boolean mayBeStored(long[] coords) {
        long[] files = storedFiles;
        if (files == null) {
            return true;
        }
        long index = 0;
        if (sharding == null) {
            index = linear(coords, readGrid);
        } else {
            for (int d = 0; d < coords.length; d++) {
                index = index * shardGrid[d] + coords[d] / innerPerShard[d];
            }
        }
        return Arrays.binarySearch(files, index) >= 0;
    }

    /** As {@link #chunk(long[])}; an {@code interior} chunk of a long read is not cached. */
    @Nullable
    Object chunk(long[] coords, boolean interior) throws AnnDataFormatException {
        if (!mayBeStored(coords)) {
            return null; // nothing allocated, nothing cached: it reads as fill
        }
        ChunkCache.Key key = new ChunkCache.Key(path, linear(coords, readGrid));
        Object cached = cache.get(key);
        if (cached != null) {
            return cached == MISSING ? null : cached;
        }
        Object decoded = sharding == null ? plainChunk(coords) : innerChunk(coords);
        if (decoded == null) {
            // interior chunks of a long read are not asked for again, stored or not (see below)
            if (!interior) {
                cache.put(key, MISSING, MISSING_WEIGHT);
            }
            return null;
        }
        if (!interior) {
            cache.put(key, decoded, ChunkCache.weightOf(decoded));
        }
        return decoded;
    }

    /**
     * Decodes the chunk at read-grid coordinates straight into {@code out} at {@code pos}, for a
     * chunk a range read covers whole and does not cache. Returns false, having done nothing, if
     * the chunk is cached, not stored (fill) or of a type that needs the general path: the caller
     * then uses {@link #chunk}.
     */
    boolean decodeInto(long[] coords, Object out, int pos) throws AnnDataFormatException {
        CodecPipeline pipeline = sharding == null ? meta.pipeline : sharding.inner;
        if (!pipeline.decodesInto(meta.type) || !mayBeStored(coords)) {
            return false;
        }
        if (cache.get(new ChunkCache.Key(path, linear(coords, readGrid))) != null) {
            return false;
        }
        String key = null;
        try {
            byte[] stored;
            if (sharding == null) {
                key = meta.keys.key(path, coords);
                stored = store.read(key);
            } else {
                long[] shard = shardOf(coords);
                int inner = innerIndex(coords);
                key = meta.keys.key(path, shard);
                ShardIndex index = shardIndex(shard, key);
                stored = index.isEmpty(inner) ? null : store.readRange(key, index.offset(inner), index.length(inner));
            }
            if (stored == null) {
                return false;
            }
            pipeline.decodeInto(stored, readShape, meta.type, out, pos);
            return true;
        } catch (IOException e) {
            throw failure(key, "cannot read it: " + e.getMessage(), e);
        } catch (CodecException e) {
            throw failure(key, e.getMessage(), e);
        } catch (RuntimeException e) {
            throw failure(key, "cannot decode it: " + e, e);
        }
    }

    @Nullable
    private Object plainChunk(long[] coords) throws AnnDataFormatException {
        String key = meta.keys.key(path, coords);
        try {
            byte[] stored = store.read(key);
            return stored == null ? null : meta.pipeline.decode(stored, readShape, meta.type);
        } catch (IOException e) {
            throw failure(key, "cannot read it: " + e.getMessage(), e);
        } catch (CodecException e) {
            throw failure(key, e.getMessage(), e);
        } catch (RuntimeException e) {
            throw failure(key, "cannot decode it: " + e, e);
        }
    }

    @Nullable
    private Object innerChunk(long[] coords) throws AnnDataFormatException {
        long[] shard = shardOf(coords);
        int inner = innerIndex(coords);
        String key = meta.keys.key(path, shard);
        try {
            ShardIndex index = shardIndex(shard, key);
            if (index.isEmpty(inner)) {
                return null;
            }
            byte[] stored = store.readRange(key, index.offset(inner), index.length(inner));
            return sharding.inner.decode(stored, readShape, meta.type);
        } catch (IOException e) {
            throw failure(key, "cannot read inner chunk " + inner + ": " + e.getMessage(), e);
        } catch (CodecException e) {
            throw failure(key, "inner chunk " + inner + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw failure(key, "cannot decode inner chunk " + inner + ": " + e, e);
        }
    }

    /** The coordinates of the shard holding the inner chunk at read-grid {@code coords}. */
    private long[] shardOf(long[] coords) {
        long[] shard = new long[coords.length];
        for (int d = 0; d < coords.length; d++) {
            shard[d] = coords[d] / innerPerShard[d];
        }
        return shard;
    }

    /** The linear index, within its shard, of the inner chunk at read-grid {@code coords}. */
    private int innerIndex(long[] coords) {
        int inner = 0;
        for (int d = 0; d < coords.length; d++) {
            inner = inner * innerPerShard[d] + (int) (coords[d] % innerPerShard[d]);
        }
        return inner;
    }

    private ShardIndex shardIndex(long[] shard, String key) throws IOException, CodecException {
        ChunkCache.Key cacheKey =
                new ChunkCache.Key(path + SHARD_INDEX_SUFFIX, linear(shard, shardGrid));
        Object cached = cache.get(cacheKey);
        if (cached != null) {
            return (ShardIndex) cached;
        }
        int innerCount = 1;
        for (int n : innerPerShard) {
            innerCount *= n; // bounded by ArrayMetadata's index size check
        }
        ShardIndex index = ShardIndex.read(store, key, sharding, innerCount);
        cache.put(cacheKey, index, index.weight());
        return index;
    }

    private AnnDataFormatException failure(String key, String problem, Exception cause) {
        return new AnnDataFormatException(location, path, "chunk '" + key + "': " + problem, cause);
    }
}
