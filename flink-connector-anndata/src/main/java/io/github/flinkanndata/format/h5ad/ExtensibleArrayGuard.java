package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.jhdf.AbstractNode;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.object.message.DataLayoutMessage;
import io.jhdf.object.message.DataLayoutMessage.ChunkedDataLayoutMessageV4;
import io.jhdf.storage.HdfBackingStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Checks the header of an extensible-array chunk index (HDF5 layout message version 4, one
 * unlimited dimension) before jhdf builds the index from it.
 *
 * <p>Why: jhdf 0.13 pre-sizes its chunk list with the header's "max index set" count, read
 * straight from the file, before it has checked anything; a corrupt header makes it allocate
 * gigabytes (a fuzz finding). Every element the array holds is stored in the file as at least a
 * chunk address, so a count beyond file size / address size is corrupt; we read the same fields
 * first and refuse such a header. (The count may exceed the chunks the current shape needs: data
 * blocks are allocated whole, so the bound is the file, not the shape.)
 */
final class ExtensibleArrayGuard {
    /** "EAHD", version, client id and six one-byte parameters precede the length fields. */
    private static final int FIXED_PREFIX = 12;

    private static final int LENGTH_FIELDS = 6;

    private ExtensibleArrayGuard() {}

    static void check(String store, String path, ChunkedDataset dataset, HdfBackingStorage storage)
            throws AnnDataFormatException {
        if (!(dataset instanceof AbstractNode)) {
            return;
        }
        DataLayoutMessage layout =
                ((AbstractNode) dataset).getHeader().getMessageOfType(DataLayoutMessage.class);
        if (!(layout instanceof ChunkedDataLayoutMessageV4)) {
            return;
        }
        ChunkedDataLayoutMessageV4 v4 = (ChunkedDataLayoutMessageV4) layout;
        if (v4.getIndexingType() != ChunkedDataLayoutMessageV4.EXTENSIBLE_ARRAY_INDEX) {
            return;
        }
        int lengths = storage.getSizeOfLengths();
        int headerBytes = FIXED_PREFIX + LENGTH_FIELDS * lengths;
        long address = v4.getAddress();
        if (lengths < 1 || lengths > 8 || address < 0 || address > storage.size() - headerBytes) {
            throw new AnnDataFormatException(store, path,
                    "the extensible-array chunk index at address " + address
                            + " does not fit in the file (" + storage.size() + " bytes): corrupt file");
        }
        ByteBuffer header = storage.readBufferFromAddress(address, headerBytes).order(ByteOrder.LITTLE_ENDIAN);
        header.position(FIXED_PREFIX);
        long[] fields = new long[LENGTH_FIELDS];
        for (int i = 0; i < LENGTH_FIELDS; i++) {
            fields[i] = unsigned(header, lengths);
        }
        // fields: secondary blocks, their size, data blocks, their size, max index set, elements
        long maxIndexSet = fields[4];
        long elements = fields[5];
        long fits = storage.size() / Math.max(1, storage.getSizeOfOffsets());
        if (maxIndexSet < 0 || maxIndexSet > fits || elements < 0 || elements > fits) {
            throw new AnnDataFormatException(store, path,
                    "the extensible-array chunk index claims " + Math.max(maxIndexSet, elements)
                            + " elements, more than the " + fits + " chunk addresses the file ("
                            + storage.size() + " bytes) can hold: corrupt file");
        }
    }

    /** A little-endian unsigned integer of {@code size} bytes; above 2^63 reads as -1. */
    private static long unsigned(ByteBuffer b, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (b.get() & 0xFFL) << (8 * i);
        }
        return size == 8 && v < 0 ? -1 : v;
    }
}
