package io.github.flinkanndata.format.zarr;

import io.github.flinkanndata.format.tree.DataType;

import java.nio.ByteOrder;
import java.util.List;

import javax.annotation.Nullable;

/**
 * A zarr element type as stored (parsed by {@link DTypeParser}): its kind, size on disk, byte order
 * and, for structured types, its fields. Immutable.
 */
final class ZarrDType {

    enum Kind {
        BOOL,
        INT,
        UINT,
        FLOAT,
        /** v2 {@code |O} with vlen-utf8, v3 {@code string}. */
        VLEN_STRING,
        /** {@code <U{n}} / {@code fixed_length_utf32}: n UTF-32 code units, NUL-padded. */
        UTF32,
        /** {@code |S{n}} / {@code null_terminated_bytes}: n bytes, NUL-padded, read as UTF-8. */
        BYTES_STRING,
        /** A structured (record) type: {@link #fields}. */
        STRUCT,
        /** Raw bytes ({@code |V{n}}); tolerated as a structured field, never decoded. */
        OPAQUE
    }

    /** One field of a structured type; {@code offset} is its byte offset inside the record. */
    record Field(String name, ZarrDType type, int[] shape, int count, int offset) {
        int byteSize() {
            return type.itemSize * count;
        }
    }

    final Kind kind;
    final int itemSize;

    /** Byte order from the type itself (v2), or null when the codec decides (v3) or it is moot. */
    @Nullable final ByteOrder order;

    final List<Field> fields;
    final String spec;

    ZarrDType(Kind kind, int itemSize, @Nullable ByteOrder order, List<Field> fields, String spec) {
        this.kind = kind;
        this.itemSize = itemSize;
        this.order = order;
        this.fields = List.copyOf(fields);
        this.spec = spec;
    }

    boolean isFixedSize() {
        return kind != Kind.VLEN_STRING;
    }

    /** The backend-neutral type; an {@link Kind#OPAQUE} type maps to COMPOUND. */
    DataType dataType() {
        switch (kind) {
            case BOOL:
                return DataType.BOOL;
            case INT:
                return itemSize == 1
                        ? DataType.INT8
                        : itemSize == 2
                                ? DataType.INT16
                                : itemSize == 4 ? DataType.INT32 : DataType.INT64;
            case UINT:
                return itemSize == 1
                        ? DataType.UINT8
                        : itemSize == 2
                                ? DataType.UINT16
                                : itemSize == 4 ? DataType.UINT32 : DataType.UINT64;
            case FLOAT:
                return itemSize == 4 ? DataType.FLOAT32 : DataType.FLOAT64;
            case VLEN_STRING:
            case UTF32:
            case BYTES_STRING:
                return DataType.STRING;
            default:
                return DataType.COMPOUND;
        }
    }

    @Nullable
    Field field(String name) {
        for (Field f : fields) {
            if (f.name.equals(name)) {
                return f;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return spec;
    }
}
