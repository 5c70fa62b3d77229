package io.github.flinkanndata.format.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mutations of zarr metadata that keep it JSON most of the time, so they reach the metadata
 * interpretation rather than stopping at the parser: a node is replaced by an "interesting" value
 * (huge or negative numbers, known dtype, codec, encoding and path strings, other JSON types), a key
 * or array element is removed or duplicated. One case in eight is mutated as plain bytes instead.
 */
final class JsonMutator {
    // zarr v2 writes NaN and Infinity fill values as bare tokens
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final String[] STRINGS = {
        // dtypes, v2 and v3
        "<f8", "<f4", "<i4", "<i8", "|u1", "<u8", "|b1", "|O", ">f8", "<U2147483647", "|S1000000000",
        "<U0", "|V16", "<M8[ns]", "<c16", "float64", "int32", "uint64", "bool", "string", "bytes",
        "complex128", "r8", "r4294967296",
        // codecs
        "blosc", "zstd", "gzip", "zlib", "lz4", "bz2", "transpose", "sharding_indexed", "crc32c",
        "vlen-utf8", "vlen-bytes", "numcodecs.zstd", "numcodecs.lz4", "zfpy", "start", "end",
        // anndata encodings
        "csr_matrix", "csc_matrix", "dataframe", "categorical", "string-array", "array", "dict",
        "nullable-integer", "nullable-boolean", "nullable-string-array", "null", "awkward-array",
        "0.1.0", "0.2.0", "9.9.9",
        // paths and layout words
        "", ".", "..", "../..", "/", "/etc", "C:/", "obs", "var", "X", "_index", "__categories",
        "codes", "categories", "mask", "values", "data", "indices", "indptr", "C", "F", "little",
        "big", "default", "v2", "regular", "NaN", "Infinity", "-Infinity", "\u0000", "\u00e9\u6f22"
    };
    private static final Object[] NUMBERS = {
        0, 1, -1, 2, 3, 255, 256, 65536, Integer.MAX_VALUE, 2147483648L, 4294967296L, 1L << 40,
        1L << 53, Long.MAX_VALUE, Long.MIN_VALUE, new BigInteger("18446744073709551616"), 0.5, -0.0,
        1e300, -1e300
    };

    private JsonMutator() {}

    /** A mutated copy of JSON text; plain byte mutations if it does not parse. */
    static byte[] mutate(byte[] in, Random rnd) {
        if (rnd.nextInt(8) == 0) {
            return ByteMutator.mutate(in, rnd);
        }
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (java.io.IOException notJson) {
            return ByteMutator.mutate(in, rnd);
        }
        if (root == null || !root.isContainerNode()) {
            return ByteMutator.mutate(in, rnd);
        }
        int n = 1 + Integer.numberOfTrailingZeros(rnd.nextInt() | 0x10); // 1..5
        for (int i = 0; i < n; i++) {
            once(root, rnd);
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void once(JsonNode root, Random rnd) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode parent = containers.get(rnd.nextInt(containers.size()));
        if (parent.size() == 0) {
            if (parent.isObject()) {
                ((ObjectNode) parent).set(pick(STRINGS, rnd), value(rnd));
            } else {
                ((ArrayNode) parent).add(value(rnd));
            }
            return;
        }
        int i = rnd.nextInt(parent.size());
        int op = rnd.nextInt(10);
        if (parent.isObject()) {
            ObjectNode o = (ObjectNode) parent;
            String key = fieldName(o, i);
            if (op == 0) {
                o.remove(key);
            } else if (op == 1) {
                o.set(pick(STRINGS, rnd), o.get(key).deepCopy());
            } else {
                o.set(key, replacement(o.get(key), rnd));
            }
        } else {
            ArrayNode a = (ArrayNode) parent;
            if (op == 0) {
                a.remove(i);
            } else if (op == 1) {
                a.insert(i, a.get(i).deepCopy());
            } else {
                a.set(i, replacement(a.get(i), rnd));
            }
        }
    }

    private static String fieldName(ObjectNode o, int index) {
        var it = o.fieldNames();
        for (int k = 0; k < index; k++) {
            it.next();
        }
        return it.next();
    }

    /** Usually a value of the same JSON type (so it passes type checks), sometimes any value. */
    private static JsonNode replacement(JsonNode old, Random rnd) {
        if (rnd.nextInt(4) == 0) {
            return value(rnd);
        }
        if (old.isNumber()) {
            return number(rnd);
        }
        if (old.isTextual()) {
            String s = old.asText();
            switch (rnd.nextInt(3)) {
                case 0:
                    return F.textNode(s.isEmpty() ? s : s.substring(0, rnd.nextInt(s.length())));
                case 1:
                    return F.textNode(s + pick(STRINGS, rnd));
                default:
                    return F.textNode(pick(STRINGS, rnd));
            }
        }
        if (old.isArray() && old.size() > 0) {
            ArrayNode a = (ArrayNode) old.deepCopy();
            a.set(rnd.nextInt(a.size()), number(rnd));
            return a;
        }
        return value(rnd);
    }

    private static JsonNode value(Random rnd) {
        switch (rnd.nextInt(7)) {
            case 0:
                return F.nullNode();
            case 1:
                return F.booleanNode(rnd.nextBoolean());
            case 2:
                return F.objectNode();
            case 3:
                return F.arrayNode().add(number(rnd)).add(number(rnd));
            case 4:
                return F.textNode(pick(STRINGS, rnd));
            default:
                return number(rnd);
        }
    }

    private static JsonNode number(Random rnd) {
        Object n = NUMBERS[rnd.nextInt(NUMBERS.length)];
        if (n instanceof Integer) {
            return F.numberNode((Integer) n);
        }
        if (n instanceof Long) {
            return F.numberNode((Long) n);
        }
        if (n instanceof BigInteger) {
            return F.numberNode((BigInteger) n);
        }
        return F.numberNode((Double) n);
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            for (JsonNode child : n) {
                collect(child, out);
            }
        }
    }

    private static String pick(String[] a, Random rnd) {
        return a[rnd.nextInt(a.length)];
    }
}
