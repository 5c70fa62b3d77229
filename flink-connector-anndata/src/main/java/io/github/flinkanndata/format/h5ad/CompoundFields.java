package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.AnnDataFormatException;
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
        final int[] shape;
        final int valuesPerRow;
        final ElementDecoder decoder;

        Field(String name, int offset, int[] shape, ElementDecoder decoder) {
            this.name = name;
            this.offset = offset;
            this.shape = shape;
            this.decoder = decoder;
            int n = 1;
            for (int s : shape) {
                n *= s;
            }
            this.valuesPerRow = n;
        }

        int bytesPerRow() {
            return valuesPerRow * decoder.storedSize();
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
                shape = ((ArrayDataType) t).getArrayTypeDimensions();
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

    List<String> names() {
        return List.copyOf(new ArrayList<>(fields.keySet()));
    }

    Field field(String name) throws AnnDataFormatException {
        Field f = fields.get(name);
        if (f == null) {
            throw new AnnDataFormatException(
                    store, path, "no compound field '" + name + "'; fields are " + fields.keySet());
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
        int per = f.bytesPerRow();
        if (f.offset < 0 || f.offset + per > recordSize) {
            throw new AnnDataFormatException(
                    store, path, "compound field '" + f.name + "' lies outside its record");
        }
        byte[] gathered = new byte[rows * per];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(records, r * recordSize + f.offset, gathered, r * per, per);
        }
        try {
            return f.decoder.decode(gathered, rows * f.valuesPerRow, storage);
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(store, path, "cannot decode compound field '" + f.name + "'", e);
        }
    }

    static DataType typeOf(Field f) {
        return f.decoder.dataType();
    }
}
