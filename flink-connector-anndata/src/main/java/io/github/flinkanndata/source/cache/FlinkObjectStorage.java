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
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A remote store's objects through Flink's {@link FileSystem} (any scheme Flink has a file system
 * for: {@code s3://} through flink-s3-fs-hadoop or -presto, {@code gs://}, {@code hdfs://}, ...):
 * statuses by {@code getFileStatus}, listings by {@code listStatus}, and each byte range by
 * opening the object, seeking and reading exactly the range. One attempt per call; {@link
 * io.github.flinkanndata.format.remote.RangeReader} retries. Thread-safe (every read opens its own
 * stream).
 */
@Internal
final class FlinkObjectStorage implements ObjectStorage {
    private final String location;
    private final Path root;
    private final FileSystem fs;

    FlinkObjectStorage(String location) throws IOException {
        this.location = location;
        this.root = new Path(location);
        this.fs = root.getFileSystem();
    }

    private Path path(String key) {
        return key.isEmpty() ? root : new Path(root, key);
    }

    private ObjectInfo info(String key, FileStatus s) {
        String uri = path(key).toUri().toString();
        return new ObjectInfo(uri, key, s.isDir() ? 0 : s.getLen(), s.getModificationTime(), s.isDir());
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
    public void read(ObjectInfo object, long offset, byte[] dst, int dstOffset, int length) throws IOException {
        try (FSDataInputStream in = fs.open(path(object.key()))) {
            if (offset > 0) {
                in.seek(offset);
            }
            int done = 0;
            while (done < length) {
                int n = in.read(dst, dstOffset + done, length - done);
                if (n < 0) {
                    throw new EOFException("'" + object.key() + "' ended after " + (offset + done) + " bytes, "
                            + (offset + length) + " expected");
                }
                done += n;
            }
        }
    }

    @Override
    public String toString() {
        return "FlinkObjectStorage(" + location + ")";
    }
}
