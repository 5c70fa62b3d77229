package io.github.flinkanndata.format.h5ad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short reads (as network filesystems return them) continue where they stopped. */
class PositionalReaderTest {
    @TempDir Path tmp;

    @Test
    void shortReadsAreContinuedAtTheNextPosition() throws Exception {
        byte[] content = new byte[1000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7);
        }
        Path file = Files.write(tmp.resolve("data.bin"), content);
        try (FileChannel real = FileChannel.open(file);
                FileChannel shortReads = new ShortReadChannel(real, 7)) {
            // base address 100 (a user block): HDF5 address 10 is file offset 110
            PositionalReader reader = new PositionalReader(shortReads, 100, 900);
            byte[] got = reader.read(10, 300);
            for (int i = 0; i < got.length; i++) {
                assertThat(got[i]).isEqualTo(content[110 + i]);
            }
            assertThat(reader.contains(800, 100)).isTrue();
            assertThat(reader.contains(800, 101)).isFalse();
            assertThat(reader.contains(-1, 1)).isFalse();
            assertThatThrownBy(() -> reader.read(850, 100)).isInstanceOf(EOFException.class);
        }
    }

    /** Returns at most {@code max} bytes per positional read; everything else is unsupported. */
    private static final class ShortReadChannel extends FileChannel {
        private final FileChannel delegate;
        private final int max;

        ShortReadChannel(FileChannel delegate, int max) {
            this.delegate = delegate;
            this.max = max;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            ByteBuffer part = dst.duplicate();
            part.limit(Math.min(dst.limit(), dst.position() + max));
            int n = delegate.read(part, position);
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        protected void implCloseChannel() {}

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel position(long newPosition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void force(boolean metaData) {}

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }
    }
}
