package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.DataType;
import io.jhdf.object.datatype.BitField;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import io.jhdf.object.datatype.VariableLength;
import java.util.Map;

/**
 * How the stored bytes of an HDF5 element type are interpreted, and the {@link DataType} they read
 * as. Finer than {@link DataType}: float16 and fixed/variable strings are decoded differently.
 */
enum ElementKind {
    BOOL(DataType.BOOL),
    INT8(DataType.INT8),
    INT16(DataType.INT16),
    INT32(DataType.INT32),
    INT64(DataType.INT64),
    UINT8(DataType.UINT8),
    UINT16(DataType.UINT16),
    UINT32(DataType.UINT32),
    UINT64(DataType.UINT64),
    /** Widened to float32: {@link DataType} has no half type. */
    FLOAT16(DataType.FLOAT32),
    FLOAT32(DataType.FLOAT32),
    FLOAT64(DataType.FLOAT64),
    FIXED_STRING(DataType.STRING),
    VLEN_STRING(DataType.STRING),
    /** A compound record, kept as raw bytes. */
    RECORD(DataType.COMPOUND),
    /**
     * References, opaque, time, vlen sequences, top-level array types: no AnnData element uses
     * them. The node stays visible (so walking a file never fails) but refuses reads.
     */
    UNSUPPORTED(DataType.COMPOUND);

    private static final ElementKind[] SIGNED = {INT8, INT16, null, INT32, null, null, null, INT64};
    private static final ElementKind[] UNSIGNED = {
        UINT8, UINT16, null, UINT32, null, null, null, UINT64
    };

    private final DataType dataType;

    ElementKind(DataType dataType) {
        this.dataType = dataType;
    }

    DataType dataType() {
        return dataType;
    }

    static ElementKind of(io.jhdf.object.datatype.DataType t) {
        int size = t.getSize();
        if (t instanceof FixedPoint) {
            return integer(size, ((FixedPoint) t).isSigned());
        }
        if (t instanceof EnumDataType) {
            // h5py's bool is an int8 enum {FALSE: 0, TRUE: 1}; other enums read as their codes
            if (isBoolEnum(t)) {
                return BOOL;
            }
            io.jhdf.object.datatype.DataType base = ((EnumDataType) t).getBaseType();
            return base instanceof FixedPoint
                    ? integer(size, ((FixedPoint) base).isSigned())
                    : UNSUPPORTED;
        }
        if (t instanceof BitField) {
            // jhdf itself writes booleans as 1-byte bitfields
            return size == 1 ? BOOL : integer(size, false);
        }
        if (t instanceof FloatingPoint) {
            return size == 2 ? FLOAT16 : size == 4 ? FLOAT32 : size == 8 ? FLOAT64 : UNSUPPORTED;
        }
        if (t instanceof StringData) {
            return FIXED_STRING;
        }
        if (t instanceof VariableLength && ((VariableLength) t).isVariableLengthString()) {
            return VLEN_STRING;
        }
        return t instanceof CompoundDataType ? RECORD : UNSUPPORTED;
    }

    private static ElementKind integer(int size, boolean signed) {
        ElementKind k = size >= 1 && size <= 8 ? (signed ? SIGNED : UNSIGNED)[size - 1] : null;
        return k == null ? UNSUPPORTED : k;
    }

    /** True for h5py's boolean enum: exactly {0: FALSE, 1: TRUE}. */
    static boolean isBoolEnum(io.jhdf.object.datatype.DataType t) {
        if (!(t instanceof EnumDataType)) {
            return false;
        }
        Map<Integer, String> m = ((EnumDataType) t).getEnumMapping();
        return m.size() == 2 && "FALSE".equals(m.get(0)) && "TRUE".equals(m.get(1));
    }
}
