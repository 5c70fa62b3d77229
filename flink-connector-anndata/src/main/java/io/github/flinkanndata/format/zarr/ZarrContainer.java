package io.github.flinkanndata.format.zarr;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.StoreFormat;
import io.github.flinkanndata.format.tree.ChunkCache;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.Node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import javax.annotation.Nullable;

/**
 * A zarr store (v2 or v3) opened as a {@link Container}: a directory, or a zip file such as {@code
 * adata.zarr.zip}. This is an in-house reader; the README ("Why zarr is read by our own code")
 * says why zarr-java is not used.
 *
 * <p>Supported: v2 ({@code .zgroup}, {@code .zarray}, optional {@code .zattrs} and {@code
 * .zmetadata}) and v3 ({@code zarr.json}, inline consolidated metadata); compressors and codecs
 * none, blosc, zstd, gzip, zlib, lz4, bz2, crc32c, transpose and sharding; C and F order; numeric,
 * boolean, string (variable and fixed width) and structured element types. Everything else fails
 * with an {@link AnnDataFormatException} naming this store, the element and, for chunk problems,
 * the chunk key.
 *
 * <p>Decoded chunks are cached in one {@link ChunkCache} per container, bounded by {@link
 * ContainerOptions#chunkCacheBytes()}. Node handles are cached too (they are small and immutable).
 *
 * <p>Thread-safe: the container and all its nodes may be used by several threads at once; {@link
 * #close()} must not race with reads.
 */
@Internal
public final class ZarrContainer implements Container {

    private static final Logger LOG = LoggerFactory.getLogger(ZarrContainer.class);

    private final String location;
    private final ZarrStore store;
    private final MetadataIndex index;
    private final ChunkCache cache;
    private final ConcurrentMap<String, Node> nodes = new ConcurrentHashMap<>();

    private ZarrContainer(String location, ZarrStore store, MetadataIndex index, ChunkCache cache) {
        this.location = location;
        this.store = store;
        this.index = index;
        this.cache = cache;
    }

    /**
     * Opens a directory store or a zip store.
     *
     * @throws AnnDataFormatException if the path does not exist, is not a zarr store, or is a zip
     *     with an unsafe entry name ({@code ..}, absolute paths)
     */
    public static ZarrContainer open(Path path, ContainerOptions options)
            throws AnnDataFormatException {
        String location = path.toString();
        ZarrStore store;
        if (Files.isDirectory(path)) {
            store = new DirectoryStore(path);
        } else if (Files.isRegularFile(path)) {
            try {
                store = ZipStore.open(path);
            } catch (ZipStore.UnsafeEntryException e) {
                throw new AnnDataFormatException(
                        location, e.entryName, "unsafe zip entry: " + e.getMessage(), e);
            } catch (IOException | RuntimeException e) {
                throw new AnnDataFormatException(
                        location, null, "cannot open as a zip store: " + e.getMessage(), e);
            }
        } else {
            throw new AnnDataFormatException(location, null, "no such directory or file");
        }
        return open(location, store, options);
    }

    /**
     * Opens a remote zarr store in place: a directory of objects, or one zip object (its central
     * directory read by ranges), read through {@code reader} and its range cache.
     */
    public static ZarrContainer open(io.github.flinkanndata.format.remote.RangeReader reader,
            io.github.flinkanndata.format.remote.ObjectInfo root, ContainerOptions options)
            throws AnnDataFormatException {
        String location = reader.location();
        if (root.isDirectory()) {
            return open(location, new RemoteZarrStore(reader), options);
        }
        try {
            return open(location, ZipStore.open(new io.github.flinkanndata.format.remote.RemoteFileChannel(
                    reader, root, io.github.flinkanndata.format.remote.RemoteFileChannel.DEFAULT_PAGE_BYTES)), options);
        } catch (ZipStore.UnsafeEntryException e) {
            throw new AnnDataFormatException(location, e.entryName, "unsafe zip entry: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new AnnDataFormatException(location, null, "cannot open as a zip store: " + e.getMessage(), e);
        }
    }

    /** Opens a container over an already opened store, which it then owns (closes on failure). */
    static ZarrContainer open(String location, ZarrStore store, ContainerOptions options)
            throws AnnDataFormatException {
        try {
            MetadataIndex index = MetadataIndex.open(store, location);
            LOG.debug("opened zarr v{} store {} ({})", index.format(), location, store);
            return new ZarrContainer(
                    location, store, index, new ChunkCache(options.chunkCacheBytes()));
        } catch (AnnDataFormatException e) {
            closeQuietly(store);
            throw e;
        } catch (RuntimeException e) {
            closeQuietly(store);
            throw new AnnDataFormatException(location, null, "cannot read the store: " + e, e);
        }
    }

    private static void closeQuietly(ZarrStore store) {
        try {
            store.close();
        } catch (IOException e) {
            LOG.debug("closing {} failed", store, e);
        }
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public StoreFormat format() {
        return StoreFormat.ZARR;
    }

    /** The zarr format version of the store: 2 or 3. */
    int zarrFormat() {
        return index.format();
    }

    @Override
    public GroupNode root() throws AnnDataFormatException {
        Node root = node("");
        if (root == null) {
            throw new AnnDataFormatException(location, null, "the store has no root node");
        }
        if (!(root instanceof GroupNode)) {
            throw new AnnDataFormatException(location, null, "the root is an array, not a group");
        }
        return (GroupNode) root;
    }

    @Nullable
    @Override
    public Node node(String path) throws AnnDataFormatException {
        String normalised = normalise(path);
        Node node = nodes.get(normalised);
        if (node != null) {
            return node;
        }
        NodeMetadata meta;
        try {
            meta = index.load(normalised);
        } catch (RuntimeException e) {
            throw new AnnDataFormatException(location, normalised, "cannot read metadata: " + e, e);
        }
        if (meta == null) {
            return null;
        }
        node =
                meta.array() == null
                        ? new ZarrGroup(location, meta, index)
                        : new ZarrArray(
                                location,
                                meta,
                                new ChunkSource(store, cache, location, normalised, meta.array()));
        Node raced = nodes.putIfAbsent(normalised, node);
        return raced != null ? raced : node;
    }

    /** Strips surrounding slashes and refuses paths that could leave the store. */
    private String normalise(String path) throws AnnDataFormatException {
        if (path == null) {
            throw new AnnDataFormatException(location, null, "node path is null");
        }
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        String problem = StoreKeys.problem(p);
        if (problem != null) {
            throw new AnnDataFormatException(location, path, "invalid node path: it " + problem);
        }
        return p;
    }

    /** The decoded-chunk cache, for statistics. */
    ChunkCache cache() {
        return cache;
    }

    @Override
    public void close() throws IOException {
        cache.clear();
        nodes.clear();
        store.close();
    }

    @Override
    public String toString() {
        return "ZarrContainer(" + location + ")";
    }
}
