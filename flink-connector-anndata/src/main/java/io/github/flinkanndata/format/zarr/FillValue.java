package io.github.flinkanndata.format.zarr;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.flinkanndata.format.zarr.ZarrDType.Kind;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Parses an array's {@code fill_value}, the value of every element of a chunk that is not stored.
 *
 * <p>The parsed value is a {@code Boolean}, a {@code Long} (integers; uint64 keeps its bit
 * pattern), a {@code Double}, a {@code String}, or a {@code byte[]} record for structured types;
 * {@link SlabCopier#fill} writes it into an output array of the matching Java type.
 */
final class FillValue {

    private FillValue() {}

    static Object parse(JsonNode v, ZarrDType t) throws MetadataException {
        boolean absent = v == null || v.isNull() || v.isMissingNode();
        switch (t.kind) {
            case BOOL:
                if (absent) {
                    return Boolean.FALSE;
                }
                if (v.isBoolean() || v.isNumber()) {
                    return v.isBoolean() ? v.booleanValue() : v.asDouble() != 0;
                }
                break;
            case INT:
            case UINT:
                if (absent) {
                    return 0L;
                }
                if (v.isIntegralNumber()) {
                    // BigInteger#longValue keeps the low 64 bits: uint64 values >= 2^63 stay intact
                    return v.bigIntegerValue().longValue();
                }
                if (v.isNumber() && v.asDouble() == Math.rint(v.asDouble())) {
                    return (long) v.asDouble();
                }
                break;
            case FLOAT:
                if (absent) {
                    return 0.0;
                }
                if (v.isNumber()) {
                    return v.asDouble();
                }
                if (v.isTextual()) {
                    return floatText(v.asText(), t.itemSize);
                }
                break;
            case VLEN_STRING:
            case UTF32:
                // v2 object arrays use 0 (old writers) or "" for "no value"
                return v != null && v.isTextual() ? v.asText() : "";
            case BYTES_STRING:
                return v != null && v.isTextual() ? bytesText(v.asText()) : "";
            default:
                return record(v, t.itemSize);
        }
        throw new MetadataException("invalid fill_value " + v + " for data type " + t);
    }

    private static Double floatText(String s, int size) throws MetadataException {
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "Infinity":
                return Double.POSITIVE_INFINITY;
            case "-Infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        // v3 allows the raw IEEE bits as hex, e.g. "0x7fc00000" for a float32 NaN
        if (s.startsWith("0x") && s.length() == 2 + 2 * size) {
            try {
                long bits = Long.parseUnsignedLong(s.substring(2), 16);
                return size == 4
                        ? (double) Float.intBitsToFloat((int) bits)
                        : Double.longBitsToDouble(bits);
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw new MetadataException("invalid float fill_value '" + s + "'");
    }

    /** zarr encodes byte-string fill values as base64; fall back to the text itself. */
    private static String bytesText(String s) {
        try {
            return Elements.nulTrimmedUtf8(Base64.getDecoder().decode(s));
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /**
     * A record fill value is base64 of the record bytes. A value of the wrong size (zarr-python 3
     * has written such values) or none at all means an all-zero record, as numpy would fill.
     */
    private static byte[] record(JsonNode v, int itemSize) {
        if (v != null && v.isTextual()) {
            try {
                byte[] bytes =
                        Base64.getDecoder().decode(v.asText().getBytes(StandardCharsets.US_ASCII));
                if (bytes.length == itemSize) {
                    return bytes;
                }
            } catch (IllegalArgumentException e) {
                // not base64: zeros
            }
        }
        return new byte[itemSize];
    }

    /**
     * True if a freshly allocated Java array already holds this value (so nothing needs filling).
     */
    static boolean isJavaDefault(Object fill, Kind kind) {
        if (fill instanceof Boolean) {
            return !((Boolean) fill);
        }
        if (fill instanceof Long) {
            return (Long) fill == 0L;
        }
        if (fill instanceof Double) {
            // -0.0 differs from the default +0.0 in its bits
            return Double.doubleToRawLongBits((Double) fill) == 0L;
        }
        if (fill instanceof byte[]) {
            for (byte b : (byte[]) fill) {
                if (b != 0) {
                    return false;
                }
            }
            return kind == Kind.STRUCT || kind == Kind.OPAQUE;
        }
        return false; // strings: a new String[] holds nulls
    }
}
