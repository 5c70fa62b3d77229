package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.Node;
import io.github.flinkanndata.format.tree.NodeRef;
import io.jhdf.api.Attribute;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.Reference;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a node's HDF5 attributes and normalises them to the types {@link Node#attributes()}
 * promises, hiding jhdf's representations:
 *
 * <ul>
 *   <li>h5py booleans are an int8 enum that jhdf returns as the strings "TRUE"/"FALSE": Boolean.
 *       Only enum-typed values are converted, never a real string "TRUE".
 *   <li>any integer (including uint64 as BigInteger, kept as its bit pattern): Long; any float:
 *       Double; arrays (of any rank): nested {@code List<Object>}; scalars stay scalars.
 *   <li>an attribute without data (h5py's empty list, float64[0], for which jhdf returns null): an
 *       empty list.
 *   <li>object references (a Long file address in jhdf): {@link NodeRef} with the target's real
 *       path, from the container's {@link AddressIndex} (jhdf's {@code getNodeByAddress} gives a
 *       placeholder path).
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
final class H5Attributes {
    private H5Attributes() {}

    /** All attributes of {@code node}, sorted by name, unmodifiable. */
    static Map<String, Object> read(H5adContainer container, String path, io.jhdf.api.Node node)
            throws AnnDataFormatException {
        Map<String, Attribute> raw;
        try {
            raw = node.getAttributes();
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(container.location(), path, "cannot read attributes", e);
        }
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, Attribute> e : raw.entrySet()) {
            try {
                out.put(e.getKey(), value(container, e.getValue()));
            } catch (RuntimeException | Error ex) {
                throw Failures.wrap(
                        container.location(),
                        path,
                        "cannot read attribute '" + e.getKey() + "'",
                        ex);
            }
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(out));
    }

    private static Object value(H5adContainer container, Attribute attribute)
            throws AnnDataFormatException {
        if (attribute.isEmpty()) {
            return List.of();
        }
        DataType type = attribute.getDataType();
        Object data = attribute.getData();
        if (data == null) {
            return List.of();
        }
        if (type instanceof Reference) {
            return references(container, data);
        }
        return normalise(data, ElementKind.isBoolEnum(type));
    }

    private static Object references(H5adContainer container, Object data)
            throws AnnDataFormatException {
        if (data.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(data); i++) {
                list.add(references(container, Array.get(data, i)));
            }
            return Collections.unmodifiableList(list);
        }
        if (!(data instanceof Number)) {
            throw new IllegalStateException(
                    "unexpected reference value " + data.getClass().getName());
        }
        return new NodeRef(container.addresses().pathOf(((Number) data).longValue()));
    }

    private static Object normalise(Object v, boolean boolEnum) {
        if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(normalise(Array.get(v, i), boolEnum));
            }
            return Collections.unmodifiableList(list);
        }
        if (v instanceof String) {
            return boolEnum ? Boolean.valueOf("TRUE".equals(v)) : v;
        }
        if (v instanceof BigInteger) {
            return ((BigInteger) v)
                    .longValue(); // uint64: keep the bit pattern, as DataType.UINT64 does
        }
        if (v instanceof Float || v instanceof Double) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Number) {
            return ((Number) v).longValue();
        }
        if (v instanceof Boolean) {
            return v;
        }
        if (v instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                m.put(String.valueOf(e.getKey()), normalise(e.getValue(), false));
            }
            return Collections.unmodifiableMap(m);
        }
        if (v instanceof Character) {
            return v.toString();
        }
        throw new IllegalStateException(
                "unsupported attribute value type " + v.getClass().getName());
    }
}
