package io.github.flinkanndata.format;

import io.github.flinkanndata.format.remote.ObjectInfo;
import io.github.flinkanndata.format.remote.RangeReader;
import io.github.flinkanndata.format.remote.RemoteFileChannel;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerBackend;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.StoreFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Opens a store with the right backend, chosen by what the path is rather than by its name: an
 * HDF5 signature means h5ad, a zip signature a zipped zarr store, a directory a zarr store.
 * (lamindb treats every regular file as HDF5, so it cannot read zipped zarr; we can.) The backends
 * are the {@link ContainerBackend}s registered in {@code META-INF/services}: this class names none.
 */
public final class Containers {
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_LOCAL = {'P', 'K', 3, 4};
    private static final byte[] ZIP_EMPTY = {'P', 'K', 5, 6};

    private Containers() {}

    /** Found once, by the loader of this class (the connector's jar, whatever the context loader). */
    private static final class Backends {
        static final Map<StoreFormat, ContainerBackend> BY_FORMAT = new EnumMap<>(StoreFormat.class);

        static {
            for (ContainerBackend b : ServiceLoader.load(ContainerBackend.class, Containers.class.getClassLoader())) {
                BY_FORMAT.putIfAbsent(b.format(), b);
            }
        }
    }

    private static ContainerBackend backend(StoreFormat format, String location) throws AnnDataFormatException {
        ContainerBackend backend = Backends.BY_FORMAT.get(format);
        if (backend == null) {
            // a jar assembled without merging META-INF/services files loses the registrations
            throw new AnnDataFormatException(location, null, "no " + format.id() + " backend registered in META-INF/services/"
                    + ContainerBackend.class.getName() + " on the classpath");
        }
        return backend;
    }

    /** Opens the store at {@code path}; the caller closes it. */
    public static Container open(Path path, ContainerOptions options) throws AnnDataFormatException {
        String location = path.toString();
        if (Files.isDirectory(path)) {
            return backend(StoreFormat.ZARR, location).open(path, options);
        }
        if (!Files.exists(path)) {
            throw new AnnDataFormatException(location, null, "no such file or directory");
        }
        if (!Files.isReadable(path)) {
            throw new AnnDataFormatException(location, null, "file is not readable");
        }
        return backend(detect(path), location).open(path, options);
    }

    /**
     * Opens a remote store in place, read by ranges through {@code reader}: a directory is a zarr
     * store, an object starting with an HDF5 signature an h5ad file, one starting with a zip
     * signature a zipped zarr store. The caller closes it.
     */
    public static Container open(RangeReader reader, ContainerOptions options) throws AnnDataFormatException {
        String location = reader.location();
        ObjectInfo root;
        try {
            root = reader.stat("");
        } catch (IOException e) {
            throw new AnnDataFormatException(location, null, "cannot reach the store: " + e.getMessage(), e);
        }
        if (root == null) {
            throw new AnnDataFormatException(location, null, "no such file or directory");
        }
        if (root.isDirectory()) {
            return backend(StoreFormat.ZARR, location).open(reader, root, null, options);
        }
        RemoteFileChannel channel = new RemoteFileChannel(reader, root, RemoteFileChannel.DEFAULT_PAGE_BYTES);
        return backend(detect(location, root.length(), channel::readFully), location).open(reader, root, channel, options);
    }

    /** Reads up to {@code n} bytes at {@code at} of the file being detected (fewer at its end). */
    private interface Bytes {
        byte[] read(long at, int n) throws IOException;
    }

    /** Decides the backend of a local regular file from its first bytes. */
    static StoreFormat detect(Path file) throws AnnDataFormatException {
        try (FileChannel ch = FileChannel.open(file)) {
            return detect(file.toString(), ch.size(), (at, n) -> {
                ByteBuffer buf = ByteBuffer.allocate(n);
                while (buf.hasRemaining() && ch.read(buf, at + buf.position()) >= 0) {
                    // a short read is not the end of the file: read on
                }
                return Arrays.copyOf(buf.array(), buf.position());
            });
        } catch (IOException e) {
            throw new AnnDataFormatException(file.toString(), null, "cannot read the store: " + e.getMessage(), e);
        }
    }

    /** Decides the backend of a file of {@code size} bytes, local or remote, from its first bytes. */
    private static StoreFormat detect(String location, long size, Bytes file) throws AnnDataFormatException {
        byte[] head;
        try {
            head = file.read(0, (int) Math.min(8, size));
            int n = head.length;
            if (n >= 4 && (startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY))) {
                return StoreFormat.ZARR;
            }
            // HDF5 allows a user block: the signature may also sit at 512, 1024, 2048, ...
            for (long at = 0; n == 8 && at + 8 <= size; at = Math.max(512, at * 2)) {
                if (Arrays.equals(at == 0 ? head : file.read(at, 8), HDF5_SIGNATURE)) {
                    return StoreFormat.H5AD;
                }
            }
        } catch (IOException e) {
            throw new AnnDataFormatException(location, null, "cannot read the store: " + e.getMessage(), e);
        }
        throw new AnnDataFormatException(location, null, "neither an HDF5 file (.h5ad) nor a zip archive (.zarr.zip): found "
                + (head.length == 0 ? "an empty file" : "leading bytes " + hex(head, head.length)));
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
