package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only {@link java.nio.channels.FileChannel} over one remote object, read by ranges through
 * a {@link RangeReader}: the readers written for local files (commons-compress's zip reader for
 * the central directory, jhdf for HDF5 structures) read remote objects through it unchanged.
 *
 * <p>Reads shorter than a page are served from whole aligned pages (a zip or HDF5 reader asks for
 * a few bytes at a time: a header, a B-tree node), which the node's {@link RangeCache} keeps;
 * longer reads fetch exactly their range. {@link #map} is not supported (callers that map, such as
 * jhdf's storage, are given heap buffers instead by their own adapters).
 *
 * <p>Positional reads are thread-safe; the channel's own position is guarded by this object.
 */
@Internal
public final class RemoteFileChannel extends java.nio.channels.FileChannel {
    /** Page of small reads: large enough for a zip's central-directory records and HDF5 headers. */
    public static final int DEFAULT_PAGE_BYTES = 64 << 10;

    private final RangeReader reader;
    private final ObjectInfo object;
    private final int pageBytes;
    private long position; // guarded by this

    public RemoteFileChannel(RangeReader reader, ObjectInfo object, int pageBytes) {
        this.reader = reader;
        this.object = object;
        this.pageBytes = pageBytes;
    }

    public ObjectInfo object() {
        return object;
    }

    /** Exactly {@code length} bytes at {@code offset} (an {@link EOFException} past the end). */
    public byte[] readFully(long offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset > object.length() - length) {
            throw new EOFException("store " + reader.location() + ": '" + object.name() + "' has " + object.length()
                    + " bytes, cannot read " + length + " bytes at offset " + offset);
        }
        if (length >= pageBytes) {
            return reader.read(object, offset, length);
        }
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long at = offset + done;
            long page = at / pageBytes;
            long pageStart = page * pageBytes;
            int pageLength = (int) Math.min(pageBytes, object.length() - pageStart);
            byte[] p = reader.read(object, pageStart, pageLength);
            int from = (int) (at - pageStart);
            int n = Math.min(length - done, pageLength - from);
            System.arraycopy(p, from, out, done, n);
            done += n;
        }
        return out;
    }

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        if (at < 0) {
            throw new IllegalArgumentException("negative position " + at);
        }
        if (at >= object.length()) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), object.length() - at);
        if (n == 0) {
            return 0;
        }
        dst.put(readFully(at, n));
        return n;
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        int n = read(dst, position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public synchronized long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public synchronized long position() {
        return position;
    }

    @Override
    public synchronized java.nio.channels.FileChannel position(long newPosition) {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return object.length();
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new NonWritableChannelException();
    }

    @Override
    public int write(ByteBuffer src, long at) {
        throw new NonWritableChannelException();
    }

    @Override
    public java.nio.channels.FileChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public void force(boolean metaData) {
        // nothing is written
    }

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
        long n = Math.min(count, Math.max(0, object.length() - at));
        if (n <= 0) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(readFully(at, (int) Math.min(n, Integer.MAX_VALUE - 16)));
        while (b.hasRemaining()) {
            target.write(b);
        }
        return b.capacity();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long at, long count) {
        throw new NonWritableChannelException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) throws IOException {
        throw new IOException("a remote object cannot be memory-mapped: " + object.uri());
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) throws IOException {
        throw new IOException("a remote object cannot be locked: " + object.uri());
    }

    @Override
    public FileLock tryLock(long at, long size, boolean shared) throws IOException {
        throw new IOException("a remote object cannot be locked: " + object.uri());
    }

    @Override
    protected void implCloseChannel() {
        // nothing held: every read is its own request
    }

    @Override
    public String toString() {
        return "RemoteFileChannel(" + object + ")";
    }
}
