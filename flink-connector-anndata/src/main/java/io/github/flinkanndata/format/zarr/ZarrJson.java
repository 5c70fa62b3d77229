package io.github.flinkanndata.format.zarr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON handling for zarr metadata: one shared Jackson mapper, attribute normalisation and typed
 * accessors that throw {@link MetadataException} with what was expected.
 */
final class ZarrJson {

    /**
     * Python's json module writes NaN and Infinity as bare tokens (zarr attributes and v2 fill
     * values), which strict JSON forbids; accept them. Big integers stay exact (uint64 fills).
     */
    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    private ZarrJson() {}

    static JsonNode parse(byte[] json, String what) throws MetadataException {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new MetadataException("metadata '" + what + "' is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MetadataException(
                    "metadata '" + what + "' is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MetadataException(
                    "metadata '" + what + "' cannot be read: " + e.getMessage());
        }
    }

    /**
     * Normalises an attribute object as {@link io.github.flinkanndata.format.tree.Node#attributes}
     * documents: integers → Long, other numbers → Double, booleans → Boolean, arrays → List,
     * objects → Map, null → null. Integers beyond 64 bits become Double (the nearest value), since
     * no Long can hold them.
     */
    static Map<String, Object> attributes(JsonNode object, String what) throws MetadataException {
        if (object == null || object.isNull() || object.isMissingNode()) {
            return Collections.emptyMap();
        }
        if (!object.isObject()) {
            throw new MetadataException("attributes in '" + what + "' are not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) toJava(object);
        return map;
    }

    private static Object toJava(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                map.put(e.getKey(), toJava(e.getValue()));
            }
            return Collections.unmodifiableMap(map);
        }
        if (n.isArray()) {
            List<Object> list = new ArrayList<>(n.size());
            for (JsonNode item : n) {
                list.add(toJava(item));
            }
            return Collections.unmodifiableList(list);
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.asLong() : (Object) n.asDouble();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isTextual()) {
            return n.asText();
        }
        return null;
    }

    /** A JSON array of non-negative integers as long[]. */
    static long[] longs(JsonNode n, String what) throws MetadataException {
        if (n == null || !n.isArray()) {
            throw new MetadataException(what + " is not a JSON array: " + n);
        }
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode d = n.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new MetadataException(what + " holds an invalid size: " + n);
            }
            out[i] = d.asLong();
        }
        return out;
    }

    /** A JSON array of positive ints (chunk shapes). */
    static int[] positiveInts(JsonNode n, String what) throws MetadataException {
        long[] values = longs(n, what);
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            if (values[i] < 1 || values[i] > Integer.MAX_VALUE) {
                throw new MetadataException(what + " must hold sizes in [1, 2^31-1]: " + n);
            }
            out[i] = (int) values[i];
        }
        return out;
    }
}
