package io.github.flinkanndata.source.cache;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A read-only "remote" file system for tests: {@code slowfs:///a/b} is the local file {@code
 * /a/b}, reached the slow and unreliable way. Every open waits {@code delayMillis}; the next
 * {@code failures} opens (counted over all files) return a stream that breaks halfway, like a
 * dropped connection. Registered through {@code META-INF/services}; the knobs are static because Flink
 * caches file system instances, and they are reset by {@link #reset()}.
 */
public final class SlowFileSystem extends FileSystem {
    public static final String SCHEME = "slowfs";

    static volatile long delayMillis;
    private static final AtomicInteger FAILURES = new AtomicInteger();
    private static final Map<String, AtomicInteger> OPENS = new ConcurrentHashMap<>();

    /** No delay, no failures, counts cleared. */
    public static void reset() {
        delayMillis = 0;
        FAILURES.set(0);
        OPENS.clear();
    }

    /** Every open waits {@code delay} ms; the next {@code failures} opens break halfway. */
    public static void configure(long delay, int failures) {
        delayMillis = delay;
        FAILURES.set(failures);
    }

    /** Failures configured but not yet injected. */
    public static int pendingFailures() {
        return FAILURES.get();
    }

    /** The slowfs URI of a local file or directory. */
    public static String uri(java.nio.file.Path local) {
        return SCHEME + "://" + local.toAbsolutePath().normalize().toUri().getPath();
    }

    /** How often the file at {@code local} was opened (a directory store: its files, summed). */
    public static int opens(java.nio.file.Path local) {
        String prefix = local.toAbsolutePath().normalize().toString();
        int n = 0;
        for (Map.Entry<String, AtomicInteger> e : OPENS.entrySet()) {
            if (e.getKey().equals(prefix) || e.getKey().startsWith(prefix + "/")) {
                n += e.getValue().get();
            }
        }
        return n;
    }

    private static java.nio.file.Path local(Path p) {
        return Paths.get(p.toUri().getPath());
    }

    private static Path remote(java.nio.file.Path local) {
        return new Path(uri(local));
    }

    @Override
    public Path getWorkingDirectory() {
        return new Path(SCHEME + ":///");
    }

    @Override
    public Path getHomeDirectory() {
        return getWorkingDirectory();
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        java.nio.file.Path l = local(f);
        try {
            return new Status(remote(l), Files.readAttributes(l, BasicFileAttributes.class));
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("slowfs: no such file " + f);
        }
    }

    @Override
    public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len) {
        return new BlockLocation[0];
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        return open(f);
    }

    @Override
    public FSDataInputStream open(Path f) throws IOException {
        java.nio.file.Path l = local(f);
        OPENS.computeIfAbsent(l.toString(), k -> new AtomicInteger()).incrementAndGet();
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }
        boolean fail = FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        long breakAt = fail ? Files.size(l) / 2 : Long.MAX_VALUE;
        return new Input(FileChannel.open(l), breakAt, f);
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        java.nio.file.Path l = local(f);
        List<FileStatus> out = new ArrayList<>();
        try (Stream<java.nio.file.Path> children = Files.list(l)) {
            for (java.nio.file.Path c : (Iterable<java.nio.file.Path>) children::iterator) {
                out.add(new Status(remote(c), Files.readAttributes(c, BasicFileAttributes.class)));
            }
        }
        return out.toArray(new FileStatus[0]);
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        throw new IOException("slowfs is read-only");
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        throw new IOException("slowfs is read-only");
    }

    @Override
    public FSDataOutputStream create(Path f, WriteMode overwriteMode) throws IOException {
        throw new IOException("slowfs is read-only");
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        throw new IOException("slowfs is read-only");
    }

    @Override
    public boolean isDistributedFS() {
        return true;
    }

    private static final class Status implements FileStatus {
        private final Path path;
        private final BasicFileAttributes attrs;

        Status(Path path, BasicFileAttributes attrs) {
            this.path = path;
            this.attrs = attrs;
        }

        @Override
        public long getLen() {
            return attrs.isDirectory() ? 0 : attrs.size();
        }

        @Override
        public long getBlockSize() {
            return 1 << 20;
        }

        @Override
        public short getReplication() {
            return 1;
        }

        @Override
        public long getModificationTime() {
            return attrs.lastModifiedTime().toMillis();
        }

        @Override
        public long getAccessTime() {
            return 0;
        }

        @Override
        public boolean isDir() {
            return attrs.isDirectory();
        }

        @Override
        public Path getPath() {
            return path;
        }
    }

    /** A file stream that throws once it reaches {@code breakAt} bytes. */
    private static final class Input extends FSDataInputStream {
        private final FileChannel ch;
        private final long breakAt;
        private final Path path;

        Input(FileChannel ch, long breakAt, Path path) {
            this.ch = ch;
            this.breakAt = breakAt;
            this.path = path;
        }

        @Override
        public void seek(long desired) throws IOException {
            ch.position(desired);
        }

        @Override
        public long getPos() throws IOException {
            return ch.position();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long pos = ch.position();
            if (pos >= breakAt) {
                throw new IOException("slowfs: connection reset while reading " + path + " at byte " + pos);
            }
            int want = (int) Math.min(len, breakAt - pos);
            return ch.read(ByteBuffer.wrap(b, off, want));
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
