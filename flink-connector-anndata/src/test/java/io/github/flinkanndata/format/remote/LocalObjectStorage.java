package io.github.flinkanndata.format.remote;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * A local file or directory served as an {@link ObjectStorage}, for tests: counts requests and
 * bytes, and fails the next {@code failReads} reads with a transient error.
 */
public final class LocalObjectStorage implements ObjectStorage {
    private final Path root;
    private final String location;
    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicLong bytesRead = new AtomicLong();
    public final AtomicInteger stats = new AtomicInteger();
    public final AtomicInteger failReads = new AtomicInteger();
    /** When set, every read throws it. */
    public volatile IOException failWith;
    /** How long each read takes at least (a remote request's latency). */
    public volatile long readDelayMillis;
    /** Reads running now, and the most that ever ran at once. */
    public final AtomicInteger readsInFlight = new AtomicInteger();
    public final AtomicInteger maxReadsInFlight = new AtomicInteger();
    /** What {@link #readVerified} answers: whether reads count as conditional on the version. */
    public volatile boolean verifiedReads;

    public LocalObjectStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.location = "test://" + this.root;
    }

    private Path resolve(String key) {
        return key.isEmpty() ? root : root.resolve(key);
    }

    private ObjectInfo info(String key, Path p, BasicFileAttributes a) {
        return new ObjectInfo(location + (key.isEmpty() ? "" : "/" + key), key, a.isDirectory() ? 0 : a.size(),
                a.lastModifiedTime().toMillis(), a.isDirectory());
    }

    @Override
    public String location() {
        return location;
    }

    @Nullable
    @Override
    public ObjectInfo stat(String key) throws IOException {
        stats.incrementAndGet();
        Path p = resolve(key);
        if (!Files.exists(p)) {
            return null;
        }
        return info(key, p, Files.readAttributes(p, BasicFileAttributes.class));
    }

    /** Whether the storage lists recursively ({@link #listRecursive}, counted as one status request). */
    public volatile boolean recursive;

    @Override
    public boolean listsRecursively() {
        return recursive;
    }

    @Override
    public List<ObjectInfo> listRecursive(String key) throws IOException {
        stats.incrementAndGet();
        Path p = resolve(key);
        List<ObjectInfo> out = new ArrayList<>();
        if (!Files.isDirectory(p)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path c : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(c)) {
                    String k = root.relativize(c).toString().replace('\\', '/');
                    out.add(info(k, c, Files.readAttributes(c, BasicFileAttributes.class)));
                }
            }
        }
        return out;
    }

    @Override
    public List<ObjectInfo> list(String key) throws IOException {
        stats.incrementAndGet();
        Path p = resolve(key);
        List<ObjectInfo> out = new ArrayList<>();
        if (!Files.isDirectory(p)) {
            return out;
        }
        try (Stream<Path> s = Files.list(p)) {
            for (Path c : (Iterable<Path>) s::iterator) {
                String k = (key.isEmpty() ? "" : key + "/") + c.getFileName();
                out.add(info(k, c, Files.readAttributes(c, BasicFileAttributes.class)));
            }
        }
        return out;
    }

    @Override
    public void read(ObjectInfo object, long offset, byte[] dst, int dstOffset, int length) throws IOException {
        IOException fail = failWith;
        if (fail != null) {
            throw fail;
        }
        if (failReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IOException("injected connection reset");
        }
        reads.incrementAndGet();
        int now = readsInFlight.incrementAndGet();
        maxReadsInFlight.accumulateAndGet(now, Math::max);
        try {
            if (readDelayMillis > 0) {
                Thread.sleep(readDelayMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } finally {
            readsInFlight.decrementAndGet();
        }
        Path p = resolve(object.key());
        if (!Files.isRegularFile(p)) {
            throw new FileNotFoundException(object.uri());
        }
        try (FileChannel ch = FileChannel.open(p)) {
            ByteBuffer b = ByteBuffer.wrap(dst, dstOffset, length);
            long at = offset;
            while (b.hasRemaining()) {
                int n = ch.read(b, at);
                if (n < 0) {
                    throw new EOFException(object.uri() + " ended at " + at);
                }
                at += n;
            }
        }
        bytesRead.addAndGet(length);
    }

    @Override
    public boolean readVerified(ObjectInfo object, long offset, byte[] dst, int dstOffset, int length)
            throws IOException {
        read(object, offset, dst, dstOffset, length);
        return verifiedReads;
    }
}
