package io.github.flinkanndata.source.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    /** Files of a directory store copied at once. */
    static final int PARALLEL_FILES = 8;

    private TreeCopier() {}

    /**
     * Copies {@code store} to {@code target} (which must not exist); returns the bytes written.
     * The files of a directory store are copied by up to {@link #PARALLEL_FILES} threads: an
     * object store answers each request with a latency of its own, and a zarr store has one
     * file per chunk. The first failure cancels the rest and is thrown.
     */
    static long copy(RemoteStore store, Path target) throws IOException {
        if (!store.directory) {
            return copyFile(store, store.files.get(0), target, new byte[BUFFER]);
        }
        Files.createDirectories(target);
        Set<Path> dirs = new HashSet<>();
        dirs.add(target);
        List<Callable<Long>> tasks = new ArrayList<>();
        for (RemoteStore.File f : store.files) {
            Path local = target.resolve(f.relative);
            if (!local.normalize().startsWith(target.normalize())) {
                throw new IOException("refusing to copy " + f.path + ": its name leaves the store (" + f.relative + ")");
            }
            if (dirs.add(local.getParent())) {
                Files.createDirectories(local.getParent());
            }
            tasks.add(() -> copyFile(store, f, local, new byte[BUFFER]));
        }
        long written = runAll(tasks, store);
        for (Path d : dirs) {
            syncDirectory(d);
        }
        return written;
    }

    private static long runAll(List<Callable<Long>> tasks, RemoteStore store) throws IOException {
        int threads = Math.min(PARALLEL_FILES, Math.max(1, tasks.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "anndata-store-copy");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletionService<Long> done = new ExecutorCompletionService<>(pool);
            for (Callable<Long> t : tasks) {
                done.submit(t);
            }
            long written = 0;
            for (int i = 0; i < tasks.size(); i++) {
                try {
                    written += done.take().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException) {
                        throw (IOException) cause;
                    }
                    throw new IOException("copying " + store + " failed: " + cause, cause);
                }
            }
            return written;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while copying " + store);
        } finally {
            pool.shutdownNow();
        }
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
