package io.github.flinkanndata.format.zarr;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import javax.annotation.Nullable;

/**
 * A zarr store packed in a zip file ({@code .zarr.zip}), read through one shared {@link
 * FileChannel}.
 *
 * <p>zarr's zip store rewrites metadata by appending, so names repeat; the central directory is
 * read once (with commons-compress, which also understands zip64) into a name → entry map in which
 * <b>later entries overwrite earlier ones</b>, the rule zarr-python and Python's zipfile follow.
 * Names that could escape a store ({@code ..}, absolute, drive letters) make the whole file
 * invalid.
 *
 * <p>STORED entries are read at an offset (shard indexes and inner chunks without reading the
 * shard); DEFLATE entries are inflated whole, never beyond their declared size.
 *
 * <p>Thread-safe: positional {@link FileChannel} reads do not share a file pointer, and entries are
 * immutable apart from a lazily computed, idempotent data offset.
 */
final class ZipStore implements ZarrStore {

    private static final int LOCAL_HEADER_SIGNATURE = 0x04034b50;
    private static final int LOCAL_HEADER_SIZE = 30;

    /** Thrown by {@link #open} when an entry name is unsafe; carries that name. */
    static final class UnsafeEntryException extends IOException {
        private static final long serialVersionUID = 1L;
        final String entryName;

        UnsafeEntryException(String entryName, String problem) {
            super("zip entry name '" + entryName + "' " + problem);
            this.entryName = entryName;
        }
    }

    private static final class Entry {
        final String name;
        final int method;
        final long compressedSize;
        final long size;
        final long localHeaderOffset;
        volatile long dataOffset = -1;

        Entry(ZipArchiveEntry e) {
            this.name = e.getName();
            this.method = e.getMethod();
            this.compressedSize = e.getCompressedSize();
            this.size = e.getSize();
            this.localHeaderOffset = e.getLocalHeaderOffset();
        }
    }

    /** Where the zip's bytes come from: a local file, or a remote object read by ranges. */
    interface Bytes extends java.io.Closeable {
        long size() throws IOException;

        /** Exactly {@code length} bytes at {@code offset}. */
        byte[] read(long offset, int length, String what) throws IOException;
    }

    private static Bytes local(FileChannel channel) {
        return new Bytes() {
            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public byte[] read(long offset, int length, String what) throws IOException {
                return DirectoryStore.readFully(channel, offset, length, what);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    private final Bytes channel;
    private final long fileSize;
    private final Map<String, Entry> entries;
    private final Map<String, Set<String>> directories;

    private ZipStore(Bytes channel, Map<String, Entry> entries, Map<String, Set<String>> dirs)
            throws IOException {
        this.channel = channel;
        this.fileSize = channel.size();
        this.entries = entries;
        this.directories = dirs;
    }

    static ZipStore open(Path file) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        Map<String, Set<String>> dirs = new HashMap<>();
        readDirectory(ZipFile.builder().setPath(file), entries, dirs);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new ZipStore(local(channel), entries, dirs);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens a zip that is a remote object: its central directory is read through the channel
     * (pages of it, by range), its entries later by offset, each by its own range.
     */
    static ZipStore open(io.github.flinkanndata.format.remote.RemoteFileChannel remote) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        Map<String, Set<String>> dirs = new HashMap<>();
        readDirectory(ZipFile.builder().setSeekableByteChannel(remote), entries, dirs);
        Bytes bytes = new Bytes() {
            @Override
            public long size() {
                return remote.size();
            }

            @Override
            public byte[] read(long offset, int length, String what) throws IOException {
                return remote.readFully(offset, length);
            }

            @Override
            public void close() {
                // every read is its own request
            }
        };
        return new ZipStore(bytes, entries, dirs);
    }

    private static void readDirectory(ZipFile.Builder builder, Map<String, Entry> entries,
            Map<String, Set<String>> dirs) throws IOException {
        // ignoreLocalFileHeader: data offsets are computed lazily per entry, so opening a zip of
        // 100k chunks reads only its central directory.
        try (ZipFile zip =
                builder
                        .setCharset(StandardCharsets.UTF_8)
                        .setUseUnicodeExtraFields(true)
                        .setIgnoreLocalFileHeader(true)
                        .get()) {
            Enumeration<ZipArchiveEntry> all = zip.getEntries(); // central-directory order
            while (all.hasMoreElements()) {
                ZipArchiveEntry e = all.nextElement();
                String name = e.getName();
                String bare = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
                String problem = StoreKeys.problem(bare);
                if (problem != null || bare.isEmpty()) {
                    throw new UnsafeEntryException(name, problem == null ? "is empty" : problem);
                }
                if (e.getGeneralPurposeBit().usesEncryption()) {
                    throw new IOException("zip entry '" + name + "' is encrypted");
                }
                if (!e.isDirectory()) {
                    entries.put(name, new Entry(e)); // a later duplicate replaces the earlier one
                }
                registerDirectories(dirs, e.isDirectory() ? bare + "/x" : bare);
            }
        }
    }

    /** Records every ancestor directory of a file name as a child of its own parent. */
    private static void registerDirectories(Map<String, Set<String>> dirs, String fileName) {
        int slash = fileName.indexOf('/');
        while (slash >= 0) {
            String dir = fileName.substring(0, slash);
            dirs.computeIfAbsent(StoreKeys.parent(dir), k -> new TreeSet<>())
                    .add(StoreKeys.name(dir));
            slash = fileName.indexOf('/', slash + 1);
        }
    }

    @Nullable
    @Override
    public byte[] read(String key) throws IOException {
        StoreKeys.check(key);
        Entry e = entries.get(key);
        return e == null ? null : content(e);
    }

    @Override
    public long size(String key) throws IOException {
        StoreKeys.check(key);
        Entry e = entries.get(key);
        return e == null ? -1 : e.size;
    }

    @Override
    public byte[] readRange(String key, long offset, int length) throws IOException {
        StoreKeys.check(key);
        Entry e = entries.get(key);
        if (e == null) {
            throw new FileNotFoundException("no zip entry '" + key + "'");
        }
        if (offset < 0 || length < 0 || offset + length > e.size) {
            throw new EOFException(
                    "zip entry '"
                            + key
                            + "' has "
                            + e.size
                            + " bytes, cannot read "
                            + length
                            + " bytes at offset "
                            + offset);
        }
        if (e.method == ZipArchiveEntry.STORED) {
            return channel.read(dataOffset(e) + offset, length, key);
        }
        // DEFLATE has no random access: inflate from the start, but only as far as needed
        byte[] prefix = content(e, offset + length);
        byte[] out = new byte[length];
        System.arraycopy(prefix, (int) offset, out, 0, length);
        return out;
    }

    private byte[] content(Entry e) throws IOException {
        return content(e, e.size);
    }

    /** The first {@code wanted} bytes of an entry (all of it for STORED entries). */
    private byte[] content(Entry e, long wanted) throws IOException {
        if (e.size > Integer.MAX_VALUE - 16 || e.compressedSize > Integer.MAX_VALUE - 16) {
            throw new IOException("zip entry '" + e.name + "' is too large: " + e.size + " bytes");
        }
        // sizes come from the central directory: check them before allocating anything (the
        // reader fuzzer found entries declaring up to 2 GiB in a small file: OutOfMemoryError)
        if (dataOffset(e) + e.compressedSize > fileSize) {
            throw new IOException("zip entry '" + e.name + "' declares " + e.compressedSize
                    + " compressed bytes, past the end of the file");
        }
        if (e.method == ZipArchiveEntry.STORED) {
            if (e.compressedSize != e.size) {
                throw new IOException("stored zip entry '" + e.name + "' has inconsistent sizes");
            }
            return channel.read(dataOffset(e), (int) e.size, e.name);
        }
        if (e.method != ZipArchiveEntry.DEFLATED) {
            throw new IOException(
                    "zip entry '"
                            + e.name
                            + "' uses unsupported compression method "
                            + e.method
                            + " (only STORED and DEFLATE are read)");
        }
        if (wanted > 1032L * e.compressedSize + 1024) { // DEFLATE expands at most 1032:1
            throw new IOException("zip entry '" + e.name + "' declares " + e.size
                    + " bytes, more than its " + e.compressedSize + " compressed bytes can hold");
        }
        byte[] compressed =
                channel.read(dataOffset(e), (int) e.compressedSize, e.name);
        return inflate(compressed, (int) e.size, (int) wanted, e.name);
    }

    /**
     * Inflates the first {@code wanted} bytes of raw DEFLATE data whose declared size is {@code
     * size}; never more than that.
     */
    private static byte[] inflate(byte[] compressed, int size, int wanted, String name)
            throws IOException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            byte[] out = new byte[wanted];
            int produced = 0;
            while (produced < wanted) {
                int n = inflater.inflate(out, produced, wanted - produced);
                if (n == 0) {
                    break; // finished early, truncated input or a preset dictionary: all errors
                }
                produced += n;
            }
            if (produced != wanted) {
                throw new IOException(
                        "zip entry '"
                                + name
                                + "' inflated to only "
                                + produced
                                + " bytes, declared "
                                + size);
            }
            return out;
        } catch (DataFormatException ex) {
            throw new IOException("zip entry '" + name + "' is corrupted: " + ex.getMessage(), ex);
        } finally {
            inflater.end();
        }
    }

    /**
     * Data starts after the local header, whose name and extra lengths may differ from the CD's.
     */
    private long dataOffset(Entry e) throws IOException {
        long cached = e.dataOffset;
        if (cached >= 0) {
            return cached;
        }
        if (e.localHeaderOffset < 0 || e.localHeaderOffset + LOCAL_HEADER_SIZE > fileSize) {
            throw new EOFException(
                    "zip entry '" + e.name + "' has a local header outside the file");
        }
        ByteBuffer header =
                ByteBuffer.wrap(
                                channel.read(e.localHeaderOffset, LOCAL_HEADER_SIZE, e.name))
                        .order(ByteOrder.LITTLE_ENDIAN);
        if (header.getInt(0) != LOCAL_HEADER_SIGNATURE) {
            throw new IOException("zip entry '" + e.name + "' has no local header signature");
        }
        long offset =
                e.localHeaderOffset
                        + LOCAL_HEADER_SIZE
                        + (header.getShort(26) & 0xFFFF)
                        + (header.getShort(28) & 0xFFFF);
        if (offset + e.compressedSize > fileSize) {
            throw new EOFException("zip entry '" + e.name + "' extends past the end of the file");
        }
        e.dataOffset = offset;
        return offset;
    }

    @Override
    public List<String> listDirectories(String prefix) throws IOException {
        StoreKeys.check(prefix);
        Set<String> names = directories.get(prefix);
        return names == null ? new ArrayList<>() : new ArrayList<>(names);
    }

    /** From the central directory, read when the store was opened. */
    @Override
    @Nullable
    public List<String> listKeys(String prefix, int maxDepth, int maxKeys) throws IOException {
        StoreKeys.check(prefix);
        String head = prefix.isEmpty() ? "" : prefix + "/";
        List<String> keys = new ArrayList<>();
        for (String name : entries.keySet()) {
            if (name.startsWith(head) && name.length() > head.length() && depth(name, head.length()) <= maxDepth) {
                if (keys.size() == maxKeys) {
                    return null;
                }
                keys.add(name.substring(head.length()));
            }
        }
        return keys;
    }

    /** Segments of {@code name} from {@code from}. */
    private static int depth(String name, int from) {
        int segments = 1;
        for (int i = from; i < name.length(); i++) {
            if (name.charAt(i) == '/') {
                segments++;
            }
        }
        return segments;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "ZipStore(" + entries.size() + " entries)";
    }
}
