package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.format.remote.ObjectInfo;
import io.github.flinkanndata.format.remote.ObjectStorage;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.ByteBufferReadable;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A remote store's objects through Flink's {@link FileSystem} (any scheme Flink has a file system
 * for: {@code s3://} through flink-s3-fs-hadoop or -presto, {@code gs://}, {@code hdfs://}, ...):
 * statuses by {@code getFileStatus}, listings by {@code listStatus}, and each byte range by
 * opening the object and reading exactly the range. One attempt per call; {@link
 * io.github.flinkanndata.format.remote.RangeReader} retries. Thread-safe (every read opens its own
 * stream).
 *
 * <p>On a Hadoop-based file system (flink-s3-fs-hadoop) an object whose status was listed or
 * asked is opened with that status ({@link HadoopOpener}): one request per range (no status
 * request on opening, no skipping by reads), conditional on the listed entity tag, so that the
 * read is {@linkplain #readVerified verified}. Otherwise an object is opened through Flink's API
 * and read by a positioned read where the stream offers one ({@link ByteBufferReadable}), else by
 * seeking.
 */
@Internal
final class FlinkObjectStorage implements ObjectStorage {
    private final String location;
    private final Path root;
    private final FileSystem fs;
    @Nullable private final HadoopOpener hadoop;
    /**
     * The class loader of the file system's own classes (a plugin's): the context class loader
     * while a stream is read. Flink's plugin wrapper sets it around {@code open}, not around the
     * reads of the stream it returns, and a fetch thread's own context class loader may be the
     * closed class loader of an earlier job (the S3 client then failed to open connections with
     * "Trying to access closed classloader").
     */
    private final ClassLoader fsLoader;
    FlinkObjectStorage(String location) throws IOException {
        this.location = location;
        this.root = new Path(location);
        this.fs = root.getFileSystem();
        this.hadoop = HadoopOpener.of(fs);
        Object inner = fs;
        for (int i = 0; i < 8 && inner instanceof org.apache.flink.util.WrappingProxy; i++) {
            inner = ((org.apache.flink.util.WrappingProxy<?>) inner).getWrappedDelegate();
        }
        this.fsLoader = inner.getClass().getClassLoader();
    }

    /** The Hadoop opener, or null if objects are opened through Flink's API (tests). */
    @Nullable
    HadoopOpener hadoopOpener() {
        return hadoop;
    }

    private Path path(String key) {
        return key.isEmpty() ? root : new Path(root, key);
    }

    private ObjectInfo info(String key, FileStatus s) {
        String uri = path(key).toUri().toString();
        // the Hadoop status rides along as the object's handle: reads open the object with it
        Object hadoopStatus = hadoop == null || s.isDir() ? null : hadoop.hadoopStatus(s);
        return new ObjectInfo(uri, key, s.isDir() ? 0 : s.getLen(), s.getModificationTime(), s.isDir(),
                HadoopOpener.etag(hadoopStatus), hadoopStatus);
    }

    @Override
    public String location() {
        return location;
    }

    @Nullable
    @Override
    public ObjectInfo stat(String key) throws IOException {
        try {
            return info(key, fs.getFileStatus(path(key)));
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    @Override
    public List<ObjectInfo> list(String key) throws IOException {
        FileStatus[] children;
        try {
            children = fs.listStatus(path(key));
        } catch (FileNotFoundException e) {
            return List.of();
        }
        List<ObjectInfo> out = new ArrayList<>();
        if (children == null) {
            return out;
        }
        String prefix = key.isEmpty() ? "" : key + "/";
        for (FileStatus c : children) {
            out.add(info(prefix + c.getPath().getName(), c));
        }
        return out;
    }

    @Override
    public boolean listsRecursively() {
        return hadoop != null && hadoop.listsRecursively();
    }

    /**
     * Hadoop's recursive listing ({@link HadoopOpener#listFiles}); each object's Hadoop status
     * rides along as its handle, as in {@link #list}, so that it is opened without a status request.
     */
    @Override
    public List<ObjectInfo> listRecursive(String key) throws IOException {
        if (!listsRecursively()) {
            throw new UnsupportedOperationException("no recursive listing on " + location);
        }
        String base = path(key).toUri().getPath();
        String rootPath = root.toUri().getPath();
        List<ObjectInfo> out = new ArrayList<>();
        for (HadoopOpener.Listed f : hadoop.listFiles(path(key).toUri())) {
            String p = f.uri().getPath();
            if (!p.startsWith(base + "/") || !p.startsWith(rootPath + "/")) {
                continue;
            }
            String k = p.substring(rootPath.length() + 1);
            Object status = hadoop.isHadoopStatus(f.status()) ? f.status() : null;
            out.add(new ObjectInfo(path(k).toUri().toString(), k, f.length(), f.modified(), false,
                    HadoopOpener.etag(status), status));
        }
        return out;
    }

    @Override
    public void read(ObjectInfo object, long offset, byte[] dst, int dstOffset, int length) throws IOException {
        readVerified(object, offset, dst, dstOffset, length);
    }

    /**
     * True when the object was opened with the listed status, that status has an entity tag and
     * the client checks it ({@link HadoopOpener#etagChecked}): S3A then sends it as {@code
     * If-Match}, and a replaced object fails the read.
     */
    @Override
    public boolean readVerified(ObjectInfo object, long offset, byte[] dst, int dstOffset, int length)
            throws IOException {
        Object hadoopStatus = hadoop == null ? null : object.handle();
        if (hadoopStatus == null) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(fsLoader);
            try {
                readThroughFlink(object, offset, dst, dstOffset, length);
            } finally {
                thread.setContextClassLoader(previous);
            }
            return false;
        }
        hadoop.read(path(object.key()).toUri(), hadoopStatus, offset, dst, dstOffset, length);
        return hadoop.etagChecked() && object.etag() != null && object.etag().equals(HadoopOpener.etag(hadoopStatus));
    }

    /** Opens the object through Flink's API and reads the range. */
    private void readThroughFlink(ObjectInfo object, long offset, byte[] dst, int dstOffset, int length)
            throws IOException {
        try (FSDataInputStream in = fs.open(path(object.key()))) {
            if (in instanceof ByteBufferReadable) {
                // a positioned read: Flink's Hadoop stream would skip a short seek by reading. Flink's
                // Hadoop stream reads into the buffer from its array offset and leaves its position:
                // each call gets a fresh slice, and the count returned is what was read
                int done = 0;
                while (done < length) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(dst, dstOffset + done, length - done).slice();
                    int n = ((ByteBufferReadable) in).read(offset + done, b);
                    if (n <= 0) {
                        throw ended(object, offset + done, offset + length);
                    }
                    done += n;
                }
                return;
            }
            if (offset > 0) {
                in.seek(offset);
            }
            int done = 0;
            while (done < length) {
                int n = in.read(dst, dstOffset + done, length - done);
                if (n < 0) {
                    throw ended(object, offset + done, offset + length);
                }
                done += n;
            }
        }
    }

    private static EOFException ended(ObjectInfo object, long at, long expected) {
        return new EOFException("'" + object.key() + "' ended after " + at + " bytes, " + expected + " expected");
    }

    @Override
    public String toString() {
        return "FlinkObjectStorage(" + location + ")";
    }
}
