package io.github.flinkanndata.source.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Copies a {@link RemoteStore} to a local path and forces it to disk: a single file as a file, a
 * directory store (zarr) as the whole tree. A file that arrives shorter or longer than listed
 * fails the copy, so a dropped connection can never pass for a complete store.
 */
@Internal
final class TreeCopier {
    private static final int BUFFER = 1 << 16;

    private TreeCopier() {}

    /** Copies {@code store} to {@code target} (which must not exist); returns the bytes written. */
    static long copy(RemoteStore store, Path target) throws IOException {
        long written = 0;
        Set<Path> dirs = new HashSet<>();
        if (store.directory) {
            Files.createDirectories(target);
            dirs.add(target);
        }
        byte[] buffer = new byte[BUFFER];
        for (RemoteStore.File f : store.files) {
            Path local = store.directory ? target.resolve(f.relative) : target;
            if (!local.normalize().startsWith(target.normalize())) {
                throw new IOException("refusing to copy " + f.path + ": its name leaves the store (" + f.relative + ")");
            }
            Path parent = local.getParent();
            if (store.directory && !dirs.contains(parent)) {
                Files.createDirectories(parent);
                dirs.add(parent);
            }
            written += copyFile(store, f, local, buffer);
        }
        for (Path d : dirs) {
            syncDirectory(d);
        }
        return written;
    }

    private static long copyFile(RemoteStore store, RemoteStore.File f, Path local, byte[] buffer) throws IOException {
        long n = 0;
        try (FSDataInputStream in = store.fs.open(f.path);
                FileChannel out = FileChannel.open(local, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            n = pump(in, out, buffer);
            if (n != f.length) {
                throw new IOException("copy of " + f.path + " is " + n + " bytes, the store lists " + f.length
                        + " (changed or truncated while copying)");
            }
            out.force(true);
        }
        return n;
    }

    private static long pump(InputStream in, FileChannel out, byte[] buffer) throws IOException {
        long n = 0;
        int r;
        while ((r = in.read(buffer)) >= 0) {
            ByteBuffer b = ByteBuffer.wrap(buffer, 0, r);
            while (b.hasRemaining()) {
                out.write(b);
            }
            n += r;
        }
        return n;
    }

    /** Makes a directory's entries durable; a platform that cannot open directories skips it. */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Windows cannot open a directory as a channel; a rename there is durable anyway
        }
    }
}
