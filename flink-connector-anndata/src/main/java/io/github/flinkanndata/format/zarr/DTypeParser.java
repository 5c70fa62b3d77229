package io.github.flinkanndata.format.zarr;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.flinkanndata.format.zarr.ZarrDType.Field;
import io.github.flinkanndata.format.zarr.ZarrDType.Kind;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.annotation.Nullable;

/**
 * Parses element types: numpy type strings and structured lists of zarr v2 ({@code "<f4"}, {@code
 * "|O"}, {@code [["name", "<U4"], ["v", "<f4", [3]]]}), and the {@code data_type} of zarr v3
 * ({@code "float32"}, {@code "string"}, {@code {"name": "fixed_length_utf32", ...}}, {@code
 * {"name": "structured", ...}}).
 *
 * <p>Anything else (float16, complex, datetimes, nested records, object fields) is refused with an
 * "unsupported data type" message: silently misreading it would be worse.
 */
final class DTypeParser {

    private static final Pattern NUMPY = Pattern.compile("([<>|=])([a-zA-Z])(\\d*)");

    /** Limit on fixed string widths and record sizes; real ones are tens of bytes. */
    private static final int MAX_ITEM_SIZE = 1 << 20;

    private DTypeParser() {}

    static ZarrDType v2(JsonNode dtype) throws MetadataException {
        if (dtype != null && dtype.isTextual()) {
            ZarrDType t = numpy(dtype.asText());
            if (t.kind == Kind.OPAQUE) {
                throw new MetadataException("unsupported data type '" + t.spec + "' (raw void)");
            }
            return t;
        }
        if (dtype != null && dtype.isArray() && dtype.size() > 0) {
            return structured(dtype, true);
        }
        throw new MetadataException("unsupported data type " + dtype);
    }

    static ZarrDType v3(JsonNode dtype) throws MetadataException {
        if (dtype == null) {
            throw new MetadataException("missing data_type");
        }
        if (dtype.isTextual()) {
            String name = dtype.asText();
            switch (name) {
                case "bool":
                    return simple(Kind.BOOL, 1, null, name);
                case "int8":
                case "int16":
                case "int32":
                case "int64":
                    return simple(Kind.INT, Integer.parseInt(name.substring(3)) / 8, null, name);
                case "uint8":
                case "uint16":
                case "uint32":
                case "uint64":
                    return simple(Kind.UINT, Integer.parseInt(name.substring(4)) / 8, null, name);
                case "float32":
                case "float64":
                    return simple(Kind.FLOAT, Integer.parseInt(name.substring(5)) / 8, null, name);
                case "string":
                    return simple(Kind.VLEN_STRING, 0, null, name);
                default:
                    throw new MetadataException("unsupported data_type '" + name + "'");
            }
        }
        String name = dtype.path("name").asText("");
        JsonNode config = dtype.path("configuration");
        switch (name) {
            case "fixed_length_utf32":
                {
                    int bytes = lengthBytes(config, name);
                    if (bytes % 4 != 0) {
                        throw new MetadataException(
                                name + " length_bytes " + bytes + " is not a multiple of 4");
                    }
                    return simple(Kind.UTF32, bytes, null, name + "[" + bytes + "]");
                }
            case "null_terminated_bytes":
                return simple(Kind.BYTES_STRING, lengthBytes(config, name), null, name);
            case "structured":
                return structured(config.path("fields"), false);
            default:
                throw new MetadataException("unsupported data_type " + dtype);
        }
    }

    private static int lengthBytes(JsonNode config, String name) throws MetadataException {
        JsonNode n = config.path("length_bytes");
        if (!n.canConvertToInt() || n.asInt() < 1 || n.asInt() > MAX_ITEM_SIZE) {
            throw new MetadataException(name + " has an invalid length_bytes: " + n);
        }
        return n.asInt();
    }

    private static ZarrDType simple(Kind kind, int size, @Nullable ByteOrder order, String spec) {
        return new ZarrDType(kind, size, order, List.of(), spec);
    }

    /** A numpy type string such as {@code <f8}, {@code |b1}, {@code >U5} or {@code |S3}. */
    static ZarrDType numpy(String spec) throws MetadataException {
        Matcher m = NUMPY.matcher(spec);
        if (!m.matches()) {
            throw new MetadataException("unsupported data type '" + spec + "'");
        }
        char endian = m.group(1).charAt(0);
        char code = m.group(2).charAt(0);
        int size;
        try {
            size = m.group(3).isEmpty() ? -1 : Integer.parseInt(m.group(3));
        } catch (NumberFormatException e) {
            throw new MetadataException("unsupported data type '" + spec + "'");
        }
        ByteOrder order = endian == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        switch (code) {
            case 'b':
                if (size == 1) {
                    return simple(Kind.BOOL, 1, order, spec);
                }
                break;
            case 'i':
            case 'u':
                if (size == 1 || size == 2 || size == 4 || size == 8) {
                    return simple(code == 'i' ? Kind.INT : Kind.UINT, size, order, spec);
                }
                break;
            case 'f':
                if (size == 4 || size == 8) {
                    return simple(Kind.FLOAT, size, order, spec);
                }
                break;
            case 'U':
                if (size >= 1 && size <= MAX_ITEM_SIZE / 4) {
                    return simple(Kind.UTF32, 4 * size, order, spec);
                }
                break;
            case 'S':
                if (size >= 1 && size <= MAX_ITEM_SIZE) {
                    return simple(Kind.BYTES_STRING, size, order, spec);
                }
                break;
            case 'V':
                if (size >= 1 && size <= MAX_ITEM_SIZE) {
                    return simple(Kind.OPAQUE, size, order, spec);
                }
                break;
            case 'O':
                if (size == -1) {
                    return simple(Kind.VLEN_STRING, 0, order, spec);
                }
                break;
            default:
                break;
        }
        throw new MetadataException("unsupported data type '" + spec + "'");
    }

    /**
     * A structured type, packed as numpy lays out a {@code descr} list (no alignment padding). v2
     * fields are {@code [name, dtype]} or {@code [name, dtype, shape]}; v3 fields are {@code [name,
     * data_type]}.
     */
    private static ZarrDType structured(JsonNode fields, boolean v2) throws MetadataException {
        if (!fields.isArray() || fields.isEmpty()) {
            throw new MetadataException("structured data type without fields: " + fields);
        }
        List<Field> out = new ArrayList<>();
        int offset = 0;
        for (JsonNode f : fields) {
            if (!f.isArray() || f.size() < 2 || f.size() > 3 || !f.get(0).isTextual()) {
                throw new MetadataException("invalid structured field " + f);
            }
            String name = f.get(0).asText();
            JsonNode type = f.get(1);
            if (type.isArray()
                    || (type.isObject() && "structured".equals(type.path("name").asText()))) {
                throw new MetadataException(
                        "unsupported data type: nested structured field '" + name + "'");
            }
            ZarrDType t = v2 ? numpy(type.asText("")) : v3(type);
            if (t.kind == Kind.VLEN_STRING) {
                throw new MetadataException(
                        "unsupported data type: variable-length field '"
                                + name
                                + "' in a structured type");
            }
            int[] shape = f.size() == 3 ? fieldShape(f.get(2), name) : new int[0];
            long count = 1;
            for (int d : shape) {
                count *= d;
            }
            long size = t.itemSize * count;
            if (offset + size > MAX_ITEM_SIZE) {
                throw new MetadataException(
                        "structured record larger than " + MAX_ITEM_SIZE + " bytes");
            }
            out.add(new Field(name, t, shape, (int) count, offset));
            offset += (int) size;
        }
        return new ZarrDType(Kind.STRUCT, offset, null, out, fields.toString());
    }

    private static int[] fieldShape(JsonNode shape, String name) throws MetadataException {
        if (!shape.isArray()) {
            throw new MetadataException(
                    "invalid shape of structured field '" + name + "': " + shape);
        }
        int[] out = new int[shape.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.canConvertToInt() || d.asInt() < 0 || d.asInt() > MAX_ITEM_SIZE) {
                throw new MetadataException(
                        "invalid shape of structured field '" + name + "': " + shape);
            }
            out[i] = d.asInt();
        }
        return out;
    }
}
