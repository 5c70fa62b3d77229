package io.github.flinkanndata.format.h5ad;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads data bytes (chunks, contiguous data) at HDF5 addresses with positional reads.
 *
 * <p>Why not jhdf's {@code HdfBackingStorage#readBufferFromAddress}: after a short read it reads
 * again from the same position instead of the next one, which silently corrupts data on filesystems
 * that return partial reads (network and FUSE mounts). Here every read continues where the previous
 * one stopped, and addresses are checked against the file length first, so a corrupt size cannot
 * cause a huge allocation.
 *
 * <p>Thread-safe: {@link FileChannel#read(ByteBuffer, long)} does not move a shared position.
 */
final class PositionalReader {
    private final FileChannel channel;
    private final long baseAddress;
    private final long addressableBytes;

    /**
     * @param baseAddress where HDF5 address 0 is in the file (after a user block)
     * @param addressableBytes bytes from the base address to the end of the file
     */
    PositionalReader(FileChannel channel, long baseAddress, long addressableBytes) {
        this.channel = channel;
        this.baseAddress = baseAddress;
        this.addressableBytes = addressableBytes;
    }

    long addressableBytes() {
        return addressableBytes;
    }

    /** True if {@code [address, address + length)} lies inside the file. */
    boolean contains(long address, long length) {
        return address >= 0 && length >= 0 && address <= addressableBytes - length;
    }

    /** Reads {@code length} bytes at the HDF5 {@code address}. */
    byte[] read(long address, int length) throws IOException {
        if (!contains(address, length)) {
            throw new EOFException(
                    "bytes "
                            + address
                            + ".."
                            + (address + length)
                            + " lie beyond the end of the file ("
                            + addressableBytes
                            + " bytes)");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        long position = baseAddress + address;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n <= 0) {
                // -1 is the end of the file; a blocking channel returning 0 would never progress
                throw new EOFException("no bytes readable at " + (position + buffer.position()));
            }
        }
        return buffer.array();
    }
}
