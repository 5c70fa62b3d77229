package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.jhdf.storage.HdfBackingStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * Serves a contiguous or compact dataset as a grid of virtual chunks, so that reads are bounded and
 * cached like those of chunked datasets.
 *
 * <p>A virtual chunk keeps the trailing dimensions whole for as long as they fit in a byte budget,
 * cuts the next dimension to fit, and is 1 along the leading ones. Its elements are therefore one
 * contiguous byte range of the file, read with a single positional read. The budget bounds memory
 * whatever the declared shape: a corrupt dataspace declaring 2^40 elements costs one bounded read
 * that fails at the end of the file, never an allocation of its size.
 *
 * <p>Thread-safe: immutable, with positional reads ({@link PositionalReader}).
 */
final class ContiguousChunkSource implements ChunkSource {

    /** Reads {@code length} bytes at {@code byteOffset} from the start of the dataset's data. */
    interface Bytes {
        byte[] read(long byteOffset, int length) throws AnnDataFormatException;
    }

    private final String store;
    private final String path;
    private final long[] shape;
    private final int[] chunkShape;
    private final ElementDecoder decoder;
    private final HdfBackingStorage storage;
    @Nullable private final Bytes bytes;

    /**
     * @param bytes the data, or null if the dataset's storage was never allocated (reads as fill)
     */
    ContiguousChunkSource(
            String store,
            String path,
            long[] shape,
            ElementDecoder decoder,
            HdfBackingStorage storage,
            @Nullable Bytes bytes) {
        this.store = store;
        this.path = path;
        this.shape = shape.clone();
        this.decoder = decoder;
        this.storage = storage;
        this.bytes = bytes;
        // strings resolve one global-heap object per element: keep their slices small
        int budget =
                decoder.kind() == ElementKind.VLEN_STRING || decoder.kind() == ElementKind.RECORD
                        ? 64 << 10
                        : 256 << 10;
        this.chunkShape = virtualChunkShape(shape, decoder.storedSize(), budget);
    }

    static int[] virtualChunkShape(long[] shape, int elementSize, int budgetBytes) {
        int[] c = new int[shape.length];
        Arrays.fill(c, 1);
        long budget = Math.max(1, budgetBytes / Math.max(1, elementSize));
        for (int d = shape.length - 1; d >= 0; d--) {
            long dim = Math.max(1, shape[d]);
            if (dim <= budget) {
                c[d] = (int) dim;
                budget = Math.max(1, budget / dim);
            } else {
                c[d] = (int) budget;
                break;
            }
        }
        return c;
    }

    @Override
    public int[] chunkShape() {
        return chunkShape.clone();
    }

    @Override
    @Nullable
    public Object decode(long[] chunkOffset) throws AnnDataFormatException {
        if (bytes == null) {
            return null; // storage never allocated: the caller writes the fill value
        }
        // elements actually present: the chunk may run past the end along its cut dimension
        long elements = 1;
        long linear = 0;
        for (int d = 0; d < shape.length; d++) {
            elements *= Math.min(chunkShape[d], shape[d] - chunkOffset[d]);
            linear = linear * shape[d] + chunkOffset[d];
        }
        int n = (int) elements;
        int size = decoder.storedSize();
        byte[] data = bytes.read(linear * size, n * size);
        try {
            return decoder.decode(data, n, storage);
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(
                    store, path, "cannot decode elements " + linear + ".." + (linear + n), e);
        }
    }

    @Override
    public boolean isStored(long[] chunkOffset) {
        return bytes != null;
    }

    /** The bytes of a contiguous dataset at {@code address}, checked against the file length. */
    static Bytes fileBytes(String store, String path, PositionalReader reader, long address) {
        return (byteOffset, length) -> {
            long at = address + byteOffset;
            if (byteOffset < 0 || !reader.contains(at, length)) {
                throw new AnnDataFormatException(
                        store,
                        path,
                        "data bytes "
                                + at
                                + ".."
                                + (at + length)
                                + " lie beyond the end of the file ("
                                + reader.addressableBytes()
                                + " bytes): truncated or corrupt");
            }
            try {
                return reader.read(at, length);
            } catch (IOException e) {
                throw new AnnDataFormatException(
                        store, path, "cannot read data bytes at " + at + ": " + e, e);
            }
        };
    }

    /** The bytes of a compact dataset, held in its object header. */
    static Bytes compactBytes(String store, String path, ByteBuffer buffer) {
        ByteBuffer data = buffer.slice();
        return (byteOffset, length) -> {
            if (byteOffset < 0 || byteOffset + length > data.limit()) {
                throw new AnnDataFormatException(
                        store,
                        path,
                        "compact data holds "
                                + data.limit()
                                + " bytes, needed "
                                + (byteOffset + length));
            }
            byte[] out = new byte[length];
            data.duplicate().position((int) byteOffset).get(out);
            return out;
        };
    }
}
