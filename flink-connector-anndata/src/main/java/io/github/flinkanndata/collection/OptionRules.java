package io.github.flinkanndata.collection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/** The normalisation and validation rules of docs/semantics.md §2.1 steps 2-5, one method per step. */
final class OptionRules {
    private OptionRules() {}

    /** Step 2: a single value means a one-element list; values become normalised labels. */
    @Nullable
    static Map<String, List<Object>> normalizeFilter(@Nullable Map<String, Object> filter) {
        if (filter == null) {
            return null;
        }
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : filter.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("obs_filter keys must not be null");
            }
            Object v = e.getValue();
            Collection<?> values = v instanceof Collection ? (Collection<?>) v
                    : v instanceof Object[] ? java.util.Arrays.asList((Object[]) v)
                    : Collections.singletonList(v);
            List<Object> labels = new ArrayList<>(values.size());
            for (Object label : values) {
                labels.add(Labels.normalizeInput(label, "obs_filter value for '" + e.getKey() + "'"));
            }
            out.put(e.getKey(), Collections.unmodifiableList(labels));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Step 3: keys lists may be empty but hold no null. */
    static void checkKeys(String name, @Nullable List<String> keys) {
        // (List.of lists throw on contains(null), so look at each element)
        for (int i = 0; keys != null && i < keys.size(); i++) {
            if (keys.get(i) == null) {
                throw new IllegalArgumentException(name + " must not contain null");
            }
        }
    }

    /** Step 4: the effective encode list (empty = false). */
    static List<String> encodeKeys(Object encodeLabels, @Nullable List<String> obsKeys) {
        if (encodeLabels instanceof List) {
            List<?> list = (List<?>) encodeLabels;
            if (list.isEmpty()) {
                return List.of();
            }
            if (obsKeys == null || !obsKeys.containsAll(list)) {
                throw new IllegalArgumentException(
                        "every encode_labels key must be one of obs_keys: encode_labels=" + list
                                + ", obs_keys=" + obsKeys);
            }
            List<String> out = new ArrayList<>();
            for (Object k : list) {
                out.add((String) k);
            }
            return Collections.unmodifiableList(out);
        }
        boolean all = (Boolean) encodeLabels;
        return all && obsKeys != null ? obsKeys : List.of();
    }

    /**
     * Step 5: a per-key unknown_label map is checked only when something is encoded; otherwise
     * it is kept and has no effect (Python accepts it silently).
     */
    static Map<String, Object> unknownLabelMap(Map<?, ?> raw, List<String> encodeKeys) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new IllegalArgumentException("unknown_label keys must be strings, found " + e.getKey());
            }
            // Python's dict.get returns None for an explicit None: no unknown label for that key
            if (e.getValue() != null) {
                out.put((String) e.getKey(), Labels.normalizeInput(e.getValue(), "unknown_label"));
            }
        }
        if (!encodeKeys.isEmpty() && !encodeKeys.containsAll(raw.keySet())) {
            throw new IllegalArgumentException("unknown_label keys must be encoded obs keys: unknown_label keys="
                    + raw.keySet() + ", encoded keys=" + encodeKeys);
        }
        return out;
    }
}
