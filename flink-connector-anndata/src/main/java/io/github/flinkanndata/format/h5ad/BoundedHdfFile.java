package io.github.flinkanndata.format.h5ad;

import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.exceptions.HdfException;
import io.jhdf.storage.HdfBackingStorage;
import io.jhdf.storage.HdfFileChannel;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * Opens an {@link HdfFile} whose storage refuses reads past the end of the file.
 *
 * <p>jhdf allocates a buffer of whatever length a structure declares (an object header, a heap, a
 * B-tree node) before reading it, and only then notices the file is shorter. A corrupt or hostile
 * 200 KB file can so make it allocate up to 2 GiB per read, an {@code OutOfMemoryError} in a task
 * manager (found by the reader fuzzer). The storage here checks every read and mapping against the
 * file size first and throws jhdf's own {@link HdfException}, which callers already wrap.
 *
 * <p>jhdf 0.13 has no public way to supply a storage, so its private {@code HdfFile(HdfBackingStorage)}
 * constructor (the one behind {@code HdfFile.fromBytes}) is called reflectively and the file path
 * is recorded as the Path constructor would; {@code JhdfWorkaroundsTest} pins this to the jhdf
 * version. Thread safety is that of {@link HdfFileChannel}: positional reads, no shared position.
 */
final class BoundedHdfFile {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private BoundedHdfFile() {}

    /** Opens {@code path}; jhdf's unchecked exceptions propagate as from {@code new HdfFile(path)}. */
    static HdfFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new HdfException("cannot open " + path, e);
        }
        return open(channel, path, path.toString());
    }

    /**
     * Opens the HDF5 file behind {@code channel} (a local file, or a remote object read by ranges
     * through {@link io.github.flinkanndata.format.remote.RemoteFileChannel}), which the file then
     * owns; {@code path} is what jhdf reports as its file (it only logs it).
     */
    static HdfFile open(FileChannel channel, Path path, String what) {
        try {
            long size = channel.size();
            Superblock sb = Superblock.readSuperblock(channel, signatureOffset(channel, size));
            HdfFile file = construct(new Storage(channel, sb, size));
            recordPath(file, path);
            return file;
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new HdfException("cannot read " + what, e);
        } catch (RuntimeException | Error e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel, Throwable failure) {
        try {
            channel.close();
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /** Where the superblock starts: 0, or after a user block of 512, 1024, 2048, ... bytes. */
    private static long signatureOffset(FileChannel channel, long size) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(SIGNATURE.length);
        for (long at = 0; at + SIGNATURE.length <= size; at = at == 0 ? 512 : at * 2) {
            head.clear();
            while (head.hasRemaining() && channel.read(head, at + head.position()) > 0) {
                // positional read until full or end of file
            }
            if (Arrays.equals(head.array(), SIGNATURE)) {
                return at;
            }
        }
        throw new HdfException("No valid HDF5 signature found");
    }

    private static HdfFile construct(HdfBackingStorage storage) {
        try {
            Constructor<HdfFile> c = HdfFile.class.getDeclaredConstructor(HdfBackingStorage.class);
            c.setAccessible(true);
            return c.newInstance(storage);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new HdfException("cannot open the file", cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("jhdf's HdfFile(HdfBackingStorage) is not available", e);
        }
    }

    /** close() and external links ask the file for its path, which the private constructor leaves empty. */
    private static void recordPath(HdfFile file, Path path) {
        try {
            Field f = HdfFile.class.getDeclaredField("optionalFile");
            f.setAccessible(true);
            f.set(file, Optional.of(path));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("jhdf's HdfFile.optionalFile is not available", e);
        }
    }

    /** jhdf's file-channel storage, with every read and mapping checked against the file size. */
    static final class Storage extends HdfFileChannel {
        private final long size;
        private final long base;

        Storage(FileChannel channel, Superblock sb, long size) {
            super(channel, sb);
            this.size = size;
            this.base = sb.getBaseAddressByte();
        }

        private void check(long absolute, long length) {
            if (absolute < 0 || length < 0 || absolute > size || length > size - absolute) {
                throw new HdfException("a structure of " + length + " bytes at file offset "
                        + absolute + " lies outside the file (" + size + " bytes)");
            }
        }

        @Override
        public ByteBuffer readBufferFromAddress(long address, int length) {
            check(base + address, length);
            return super.readBufferFromAddress(address, length);
        }

        @Override
        public ByteBuffer map(long address, long length) {
            check(base + address, length);
            return super.map(address, length);
        }

        @Override
        public ByteBuffer mapNoOffset(long address, long length) {
            check(address, length);
            return super.mapNoOffset(address, length);
        }

        @Override
        public ByteBuffer mapNoOffset(long address, long length, FileChannel.MapMode mode) {
            check(address, length);
            return super.mapNoOffset(address, length, mode);
        }
    }
}
