package io.github.flinkanndata.format.tree;

/**
 * Element types of stored arrays, and the Java array each one is read into.
 *
 * <p>Unsigned types are widened so that every value is representable: {@code uint8} and {@code
 * uint16} read into {@code int[]}, {@code uint32} into {@code long[]}. {@code uint64} also reads
 * into {@code long[]}: values of 2^63 and above keep their bit pattern (so they look negative);
 * callers that need such values as numbers use {@link Long#toUnsignedString(long)} or reject them.
 */
public enum DataType {
    BOOL(boolean[].class, 1),
    INT8(byte[].class, 1),
    INT16(short[].class, 2),
    INT32(int[].class, 4),
    INT64(long[].class, 8),
    UINT8(int[].class, 1),
    UINT16(int[].class, 2),
    UINT32(long[].class, 4),
    UINT64(long[].class, 8),
    FLOAT32(float[].class, 4),
    FLOAT64(double[].class, 8),
    /** Variable- or fixed-length text, read into {@code String[]}. */
    STRING(String[].class, 0),
    /**
     * A compound (HDF5) or structured (zarr) record type. Whole reads return {@code Object[]} of
     * nothing useful; read the fields with {@link ArrayNode#readField}.
     */
    COMPOUND(Object[].class, 0);

    private final Class<?> javaArrayType;
    private final int storedSize;

    DataType(Class<?> javaArrayType, int storedSize) {
        this.javaArrayType = javaArrayType;
        this.storedSize = storedSize;
    }

    /** The Java array class values of this type are read into. */
    public Class<?> javaArrayType() {
        return javaArrayType;
    }

    /** Bytes per element on disk for fixed-size numeric types, 0 for strings and compounds. */
    public int storedSize() {
        return storedSize;
    }

    public boolean isInteger() {
        return this != BOOL && this != FLOAT32 && this != FLOAT64 && isNumeric();
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** Booleans count as numeric (they are 0/1 in every matrix context). */
    public boolean isNumeric() {
        return this != STRING && this != COMPOUND;
    }

    /** The numpy name of this type ({@code float32}, {@code uint8}, {@code bool}, ...). */
    public String numpyName() {
        switch (this) {
            case STRING:
                return "str";
            case COMPOUND:
                return "void";
            default:
                return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
