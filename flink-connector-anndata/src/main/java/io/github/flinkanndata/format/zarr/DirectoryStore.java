package io.github.flinkanndata.format.zarr;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.annotation.Nullable;

/**
 * A zarr store that is a directory tree: each key is a file below the root.
 *
 * <p>Keys are checked lexically by {@link StoreKeys#check} before they touch the file system, so no
 * key resolves outside the root. Symbolic links placed inside the store by its owner are followed
 * like any other file.
 *
 * <p>Stateless apart from the root path, hence safe for concurrent use: every read opens its own
 * channel.
 */
final class DirectoryStore implements ZarrStore {

    private final Path root;

    DirectoryStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path resolve(String key) throws IOException {
        StoreKeys.check(key);
        return key.isEmpty() ? root : root.resolve(key);
    }

    @Nullable
    @Override
    public byte[] read(String key) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new IOException("value of '" + key + "' is too large: " + size + " bytes");
            }
            return readFully(channel, 0, (int) size, key);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public long size(String key) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file)) {
            return -1;
        }
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public byte[] readRange(String key, long offset, int length) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("no key '" + key + "'");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset < 0 || length < 0 || offset + length > channel.size()) {
                throw new EOFException(
                        "'"
                                + key
                                + "' has "
                                + channel.size()
                                + " bytes, cannot read "
                                + length
                                + " bytes at offset "
                                + offset);
            }
            return readFully(channel, offset, length, key);
        }
    }

    /** Positional reads loop because a single read may return fewer bytes than asked. */
    static byte[] readFully(FileChannel channel, long offset, int length, String what)
            throws IOException {
        byte[] out = new byte[length];
        ByteBuffer buffer = ByteBuffer.wrap(out);
        long position = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new EOFException(
                        "'"
                                + what
                                + "' ended after "
                                + (position - offset)
                                + " of "
                                + length
                                + " bytes");
            }
            position += n;
        }
        return out;
    }

    @Override
    public List<String> listDirectories(String prefix) throws IOException {
        Path dir = resolve(prefix);
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }

    /**
     * Walks the directory below the prefix, following symbolic links as reads do, no deeper than
     * a key can be and stopping past {@code maxKeys} entries: a link to a large tree (even the
     * file system's root) costs at most that. A link cycle fails the walk; the caller then probes
     * keys one by one.
     */
    @Override
    @Nullable
    public List<String> listKeys(String prefix, int maxDepth, int maxKeys) throws IOException {
        Path dir = resolve(prefix);
        List<String> keys = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return keys;
        }
        int seen = 0;
        try (Stream<Path> files = Files.walk(dir, maxDepth, FileVisitOption.FOLLOW_LINKS)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (++seen > maxKeys) {
                    return null; // directories count too: a wide tree of them is as costly
                }
                if (Files.isRegularFile(f)) {
                    keys.add(dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"));
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return keys;
    }

    @Override
    public void close() {
        // Nothing is held open between reads.
    }

    @Override
    public String toString() {
        return "DirectoryStore(" + root + ")";
    }
}
