package io.github.flinkanndata.format;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/** Typed access to the normalised attributes of a node, with errors that name the node. */
record Attrs(Node node, Map<String, Object> map) {

    static Attrs of(Node node) throws AnnDataFormatException {
        return new Attrs(node, node.attributes());
    }

    boolean has(String name) {
        return map.containsKey(name);
    }

    @Nullable
    Object raw(String name) {
        return map.get(name);
    }

    /** The {@code encoding-type} attribute, or null for legacy nodes without one. */
    @Nullable
    String encodingType() throws AnnDataFormatException {
        return string("encoding-type");
    }

    @Nullable
    String string(String name) throws AnnDataFormatException {
        Object v = map.get(name);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw error(name, "a string", v);
    }

    /** A list of strings; an empty numeric list (h5py's empty-list attribute) counts as empty. */
    @Nullable
    List<String> stringList(String name) throws AnnDataFormatException {
        Object v = map.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof String) {
            return List.of((String) v);
        }
        if (!(v instanceof List)) {
            throw error(name, "a list of strings", v);
        }
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) v) {
            if (!(o instanceof String)) {
                throw error(name, "a list of strings", v);
            }
            out.add((String) o);
        }
        return out;
    }

    @Nullable
    long[] longList(String name) throws AnnDataFormatException {
        Object v = map.get(name);
        if (v == null) {
            return null;
        }
        List<?> list = v instanceof List ? (List<?>) v : List.of(v);
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number)) {
                throw error(name, "a list of integers", v);
            }
            out[i] = ((Number) list.get(i)).longValue();
        }
        return out;
    }

    /** Truthiness as Python sees it: booleans, numbers (uint8 or bitfield "ordered"), strings. */
    boolean truthy(String name) {
        Object v = map.get(name);
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue() != 0;
        }
        if (v instanceof String) {
            return Boolean.parseBoolean((String) v) || "1".equals(v);
        }
        return false;
    }

    private AnnDataFormatException error(String name, String expected, Object found) {
        return new AnnDataFormatException(
                node.store(),
                node.path(),
                "attribute '" + name + "' should be " + expected + ", found " + found);
    }
}
