package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.DataType;
import io.jhdf.object.datatype.ArrayDataType;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.CompoundDataType.CompoundDataMember;
import io.jhdf.storage.HdfBackingStorage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The fields of a compound dataset (anndata &lt;0.7 obs/var/obsm, rec-arrays in uns), cut out of
 * raw records.
 *
 * <p>{@link H5Array} assembles a slab of whole records (cached per chunk like any other data); a
 * field is then gathered into its own contiguous byte run and decoded by the field's {@link
 * ElementDecoder}. A sub-array field (obsm {@code X_pca}: float32 x 50) is stored row-major inside
 * each record, so the gathered bytes are already the flattened row-major result.
 *
 * <p>Immutable and thread-safe.
 */
final class CompoundFields {

    /** One member of the compound type. */
    static final class Field {
        final String name;
        final int offset;
        @Nullable final int[] shape;
        /** The values per record, in long: a corrupt member's dimensions may multiply past int. */
        final long valuesPerRow;
        final ElementDecoder decoder;

        /** @param shape null for an array member whose dimensions cannot be known */
        Field(String name, int offset, @Nullable int[] shape, ElementDecoder decoder) {
            this.name = name;
            this.offset = offset;
            this.shape = shape;
            this.decoder = decoder;
            long n = 1;
            for (int s : shape == null ? new int[0] : shape) {
                // saturates: a product past int can never fit in a record, which is all that is checked
                n = s < 0 || n > Integer.MAX_VALUE ? Long.MAX_VALUE / 8 : n * s;
            }
            this.valuesPerRow = n;
        }

        /** The bytes of one record this field spans; larger than any record when its type is corrupt. */
        long bytesPerRow() {
            return valuesPerRow > Integer.MAX_VALUE ? Long.MAX_VALUE / 8 : valuesPerRow * Math.max(1, decoder.storedSize());
        }
    }

    private final String store;
    private final String path;
    private final int recordSize;
    private final Map<String, Field> fields;

    CompoundFields(String store, String path, CompoundDataType type) {
        this.store = store;
        this.path = path;
        this.recordSize = type.getSize();
        Map<String, Field> m = new LinkedHashMap<>();
        for (CompoundDataMember member : type.getMembers()) {
            io.jhdf.object.datatype.DataType t = member.getDataType();
            int[] shape = new int[0];
            if (t instanceof ArrayDataType) {
                shape = arrayDimensions((ArrayDataType) t);
                t = ((ArrayDataType) t).getBaseType();
            } else if (member.getDimensionSize() != null && member.getDimensionSize().length > 0) {
                // compound type version 1 kept array dimensions on the member itself
                shape = member.getDimensionSize();
            }
            m.put(
                    member.getName(),
                    new Field(member.getName(), member.getOffset(), shape, ElementDecoder.of(t)));
        }
        this.fields = Collections.unmodifiableMap(m);
    }

    /**
     * The dimensions of an array member. jhdf 0.13 misreads those of a version 2 array datatype
     * (what h5py writes by default) with more than one dimension: the message lists every size,
     * then every permutation index, but jhdf reads them as (size, index) pairs, so it reports
     * {@code (s0, s2, ..., p0, p2, ...)}: {@code (2, 3)} becomes {@code (2, 0)}. The indices are
     * always {@code 0, 1, ...} (HDF5 never used them), and the member's size gives the product of
     * the sizes, which fixes the one size jhdf skips for two or three dimensions. Dimensions jhdf
     * got right (their product is the number of values) are kept as they are.
     *
     * @return the dimensions, or null when they cannot be known (four or more dimensions of a
     *     version 2 array datatype): such a field is refused when it is read
     */
    static int[] arrayDimensions(ArrayDataType a) {
        int[] read = a.getArrayTypeDimensions().clone();
        int base = a.getBaseType().getSize();
        long values = base > 0 ? a.getSize() / base : -1;
        long product = 1;
        for (int d : read) {
            product *= d;
        }
        if (product == values || read.length < 2 || a.getVersion() != 2) {
            return read;
        }
        int k = read.length;
        if (k > 3) {
            return null;
        }
        // jhdf's read[i] is the (2i)-th of s0..s(k-1), p0..p(k-1)
        int[] sizes = new int[k];
        long known = 1;
        for (int i = 0; 2 * i < k; i++) {
            sizes[2 * i] = read[i];
            known *= read[i];
        }
        for (int i = 0; i < k; i++) {
            if (2 * i >= k && read[i] != 2 * i - k) {
                return null; // not the misreading we know
            }
        }
        if (known <= 0 || values % known != 0) {
            return null;
        }
        sizes[1] = Math.toIntExact(values / known);
        return sizes;
    }

    List<String> names() {
        return List.copyOf(new ArrayList<>(fields.keySet()));
    }

    Field field(String name) throws AnnDataFormatException {
        Field f = fields.get(name);
        if (f == null) {
            throw new AnnDataFormatException(
                    store, path, "no compound field '" + name + "'; fields are " + fields.keySet());
        }
        if (f.shape == null) {
            throw new AnnDataFormatException(store, path, "compound field '" + name
                    + "' is an array of four or more dimensions in an HDF5 array datatype of version 2, whose"
                    + " dimensions jhdf cannot read");
        }
        return f;
    }

    /** Decodes one field of {@code rows} consecutive raw records. */
    Object extract(Field f, byte[] records, int rows, HdfBackingStorage storage)
            throws AnnDataFormatException {
        if (!f.decoder.supported()) {
            throw new AnnDataFormatException(
                    store,
                    path,
                    "compound field '"
                            + f.name
                            + "' has an unsupported type "
                            + f.decoder.hdfType().getClass().getSimpleName());
        }
        long span = f.bytesPerRow();
        if (f.offset < 0 || f.offset + span > recordSize) {
            throw new AnnDataFormatException(store, path, "compound field '" + f.name + "' (" + span
                    + " bytes at offset " + f.offset + ") lies outside its record of " + recordSize + " bytes");
        }
        int per = (int) span; // at most recordSize, and rows whole records were read
        byte[] gathered = new byte[rows * per];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(records, r * recordSize + f.offset, gathered, r * per, per);
        }
        try {
            return f.decoder.decode(gathered, rows * (int) f.valuesPerRow, storage);
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(store, path, "cannot decode compound field '" + f.name + "'", e);
        }
    }

    static DataType typeOf(Field f) {
        return f.decoder.dataType();
    }
}
