package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.StoreFormat;
import io.github.flinkanndata.format.tree.ChunkCache;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.Node;
import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.storage.HdfBackingStorage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An h5ad (HDF5) file as a {@link Container}, on jhdf 0.13.
 *
 * <p>jhdf parses the file's structure: groups, object headers, datatypes, attributes and chunk
 * indexes. Data is read by this package ({@link H5Array}): chunk bytes with their filter masks,
 * decoded once into the container's {@link ChunkCache}, numbers and booleans decoded without jhdf's
 * boxing. The workarounds for jhdf's gaps are in {@link TolerantLzfFilter} (LZF without cd_values),
 * {@link ChunkFilters} (per-chunk filter masks), {@link ElementDecoder} (enum booleans, uint64) and
 * {@link AddressIndex} (object references).
 *
 * <p>Every failure, including jhdf's unchecked ones, surfaces as an {@link AnnDataFormatException}
 * naming the store as given, the element and, for data, the chunk.
 *
 * <p>Thread safety: one {@link HdfFile} is shared by all threads. It is opened by {@link
 * BoundedHdfFile} on a plain {@code FileChannel}, whose positional reads need no lock (jhdf's
 * channel and URL constructors serialise reads). Node handles are cached and immutable. {@link #close()} must not
 * race with reads.
 */
@Internal
public final class H5adContainer implements Container {
    private static final Logger LOG = LoggerFactory.getLogger(H5adContainer.class);

    private final String location;
    private final HdfFile file;
    private final ChunkCache cache;
    private final AddressIndex addresses;
    private final PositionalReader reader;
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();

    private H5adContainer(String location, HdfFile file, long addressableBytes, ChunkCache cache) {
        this.location = location;
        this.file = file;
        this.cache = cache;
        this.addresses = new AddressIndex(location, file);
        HdfBackingStorage storage = file.getHdfBackingStorage();
        this.reader =
                new PositionalReader(
                        storage.getFileChannel(),
                        storage.getSuperblock().getBaseAddressByte(),
                        addressableBytes);
    }

    /** Opens the HDF5 file at {@code path}; the caller closes the container. */
    public static H5adContainer open(Path path, ContainerOptions options)
            throws AnnDataFormatException {
        String location = path.toString();
        H5Filters.registerOnce();
        long start = System.nanoTime();
        HdfFile file;
        try {
            file = BoundedHdfFile.open(path);
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(location, null, "cannot open as an HDF5 file", e);
        }
        return open(location, file, options, start);
    }

    /**
     * Opens an HDF5 file that is a remote object, in place: the superblock, object headers and
     * B-tree pages are read by ranges through {@code channel} (in pages its range cache keeps),
     * chunk data later by exact ranges. The caller closes the container.
     */
    public static H5adContainer open(io.github.flinkanndata.format.remote.RemoteFileChannel channel,
            String location, ContainerOptions options) throws AnnDataFormatException {
        H5Filters.registerOnce();
        long start = System.nanoTime();
        HdfFile file;
        try {
            file = BoundedHdfFile.open(channel, Path.of(channel.object().name()), location);
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(location, null, "cannot open as an HDF5 file", e);
        }
        return open(location, file, options, start);
    }

    private static H5adContainer open(String location, HdfFile file, ContainerOptions options, long start)
            throws AnnDataFormatException {
        long addressable;
        try {
            addressable = checkComplete(location, file.getHdfBackingStorage());
        } catch (AnnDataFormatException | RuntimeException | Error e) {
            file.close();
            throw Failures.wrap(location, null, "cannot open as an HDF5 file", e);
        }
        LOG.debug("opened {} in {} ms", location, (System.nanoTime() - start) / 1_000_000);
        return new H5adContainer(
                location, file, addressable, new ChunkCache(options.chunkCacheBytes()));
    }

    /**
     * A truncated file (an interrupted copy or download) is refused up front: the superblock
     * records where the file ends, and every later read past the real end would fail anyway, one
     * element at a time and with less clear messages.
     *
     * @return the bytes from the base address to the end of the file, measured once (the file does
     *     not change while open) to bound every stored address
     */
    private static long checkComplete(String location, HdfBackingStorage storage)
            throws AnnDataFormatException {
        Superblock sb = storage.getSuperblock();
        long declared = sb.getEndOfFileAddress();
        long actual = storage.size();
        long end = sb.getBaseAddressByte() + declared;
        // -1 is the "undefined address": the writer did not record the end
        if (declared != -1L && actual < end) {
            throw new AnnDataFormatException(
                    location,
                    null,
                    "the file is truncated: its superblock declares "
                            + end
                            + " bytes but it has "
                            + actual);
        }
        return actual - sb.getBaseAddressByte();
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public StoreFormat format() {
        return StoreFormat.H5AD;
    }

    @Override
    public GroupNode root() throws AnnDataFormatException {
        return (GroupNode) node("");
    }

    @Override
    @Nullable
    public Node node(String path) throws AnnDataFormatException {
        String key = normalise(path);
        Node node = nodes.get(key);
        if (node == null) {
            node = resolve(key);
            if (node == null) {
                return null;
            }
            Node raced = nodes.putIfAbsent(key, node);
            node = raced != null ? raced : node;
        }
        return node;
    }

    /** Walks the path link by link; null if a member is missing or a dataset has no members. */
    @Nullable
    private Node resolve(String path) throws AnnDataFormatException {
        try {
            io.jhdf.api.Node current = file;
            if (!path.isEmpty()) {
                for (String name : path.split("/")) {
                    if (!(current instanceof Group)) {
                        return null;
                    }
                    current = ((Group) current).getChild(name);
                    if (current instanceof Link) {
                        Link link = (Link) current;
                        if (link.isBrokenLink()) {
                            throw new AnnDataFormatException(
                                    location, path, "broken link to " + link.getTargetPath());
                        }
                        current = link.getTarget();
                    }
                    if (current == null) {
                        return null;
                    }
                }
            }
            if (current instanceof Group) {
                return new H5Group(this, path, (Group) current);
            }
            if (current instanceof Dataset) {
                return new H5Array(this, path, (Dataset) current);
            }
            return null; // a committed datatype: not a node of the tree
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(location, path, "cannot read the object header", e);
        }
    }

    /** Slash-separated, without leading, trailing or doubled slashes. */
    private static String normalise(String path) {
        StringBuilder sb = new StringBuilder(path.length());
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                sb.append(sb.length() > 0 ? "/" : "").append(part);
            }
        }
        return sb.toString();
    }

    ChunkCache cache() {
        return cache;
    }

    AddressIndex addresses() {
        return addresses;
    }

    HdfBackingStorage storage() {
        return file.getHdfBackingStorage();
    }

    /** Reads chunk and contiguous data bytes. */
    PositionalReader reader() {
        return reader;
    }

    @Override
    public void close() {
        nodes.clear();
        cache.clear();
        file.close();
        LOG.debug(
                "closed {} (chunk cache: {} hits, {} misses)",
                location,
                cache.hits(),
                cache.misses());
    }

    @Override
    public String toString() {
        return "H5adContainer{" + location + "}";
    }
}
