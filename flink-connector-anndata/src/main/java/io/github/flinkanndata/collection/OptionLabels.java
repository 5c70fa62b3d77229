package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.Column;
import io.github.flinkanndata.format.ColumnKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.annotation.Nullable;

/**
 * Where the labels and keys that the options name meet the stores, once, when the plan is made:
 *
 * <ul>
 *   <li>each {@link TextLabel} (a filter value or unknown label written as text) becomes the
 *       label its column holds: the string in a column of strings, the number or boolean in a
 *       numeric or boolean column (docs/semantics.md D17);
 *   <li>a filter value or unknown label that matches no label of its column in any store, and a
 *       requested key that no store has, give a warning naming what does exist (D18). The samples
 *       are as lamindb's: a key absent from a store is omitted from its samples.
 * </ul>
 *
 * <p>The options that come out hold no {@code TextLabel}; the plan keeps them, so a restored plan
 * never resolves again. Stateless.
 */
final class OptionLabels {
    /** How many existing labels or keys a warning lists. */
    static final int EXAMPLES = 8;

    private OptionLabels() {}

    /** The options with every text label typed, and the warnings, in the order found. */
    static final class Result {
        final CollectionOptions options;
        final List<String> warnings;

        Result(CollectionOptions options, List<String> warnings) {
            this.options = options;
            this.warnings = Collections.unmodifiableList(warnings);
        }
    }

    static Result check(CollectionOptions o, List<AnnDataStore> stores, ObsColumns columns)
            throws AnnDataFormatException {
        List<String> warnings = new ArrayList<>();
        checkKeys(o, stores, warnings);
        Map<String, List<Object>> filter = o.obsFilter() == null ? null : resolveFilter(o.obsFilter(), columns, warnings);
        return new Result(o.withLabels(filter, o.unknownLabelMap(), o.unknownLabelForEveryKey()), warnings);
    }

    /**
     * The unknown label of {@code key} typed against the key's merged categories; the encoders are
     * built from the result. A label that is no category of the key stays as given (it then
     * encodes nothing, as in lamindb) and is reported by {@link #unknownLabelWarnings}.
     */
    @Nullable
    static Object resolveUnknown(@Nullable Object unknown, List<Object> categories) {
        if (!(unknown instanceof TextLabel)) {
            return unknown;
        }
        List<Object> matched = matchingForms((TextLabel) unknown, canonicalSet(categories));
        return matched.isEmpty() ? ((TextLabel) unknown).parsed() : matched.get(0);
    }

    /** Warnings for unknown labels that are a category of none of the keys they apply to. */
    static List<String> unknownLabelWarnings(CollectionOptions o, Map<String, List<Object>> categoriesByKey) {
        List<String> out = new ArrayList<>();
        Map<Object, List<String>> keysByLabel = new LinkedHashMap<>();
        for (String key : o.encodeKeys()) {
            Object u = o.unknownLabelFor(key);
            if (u != null) {
                keysByLabel.computeIfAbsent(u, x -> new ArrayList<>()).add(key);
            }
        }
        for (Map.Entry<Object, List<String>> e : keysByLabel.entrySet()) {
            Object label = e.getKey();
            boolean found = false;
            List<Object> some = new ArrayList<>();
            for (String key : e.getValue()) {
                List<Object> cats = categoriesByKey.getOrDefault(key, List.of());
                found |= matches(label, canonicalSet(cats));
                some.addAll(cats);
            }
            if (!found) {
                out.add("unknown_label " + quote(label) + " is no label of " + keyList(e.getValue())
                        + " in any store, so it encodes nothing; labels there: " + examples(some, OptionLabels::quote));
            }
        }
        return out;
    }

    private static Map<String, List<Object>> resolveFilter(Map<String, List<Object>> filter, ObsColumns columns,
            List<String> warnings) throws AnnDataFormatException {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Object>> e : filter.entrySet()) {
            String key = e.getKey();
            List<Column> present = new ArrayList<>();
            for (int s = 0; s < columns.storeCount(); s++) {
                Column c = columns.column(s, key);
                if (c != null) {
                    present.add(c);
                }
            }
            if (present.isEmpty()) {
                // every row is dropped, as in lamindb; the key inventory warning says which keys exist
                out.put(key, e.getValue().stream().map(OptionLabels::untyped).collect(
                        java.util.stream.Collectors.toUnmodifiableList()));
                continue;
            }
            Set<Object> labels = labelsOf(present);
            List<Object> resolved = new ArrayList<>();
            for (Object v : e.getValue()) {
                if (v == Missing.MISSING) {
                    resolved.add(v);
                    continue;
                }
                List<Object> forms = v instanceof TextLabel ? matchingForms((TextLabel) v, labels)
                        : matches(v, labels) ? List.of(v) : List.of();
                if (forms.isEmpty()) {
                    warnings.add("obs_filter value " + quote(v) + " of '" + key + "' matches no label of that column"
                            + " in any store, so it selects no row; labels there: " + examples(labels, OptionLabels::quote));
                    forms = List.of(v instanceof TextLabel ? typedLike((TextLabel) v, present) : v);
                }
                for (Object f : forms) {
                    if (!resolved.contains(f)) {
                        resolved.add(f);
                    }
                }
            }
            out.put(key, Collections.unmodifiableList(resolved));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Warns about each requested obs, obsm, layer and filter key that no store has. */
    private static void checkKeys(CollectionOptions o, List<AnnDataStore> stores, List<String> warnings)
            throws AnnDataFormatException {
        Set<String> obs = new LinkedHashSet<>();
        Set<String> obsm = new LinkedHashSet<>();
        Set<String> layers = new LinkedHashSet<>();
        boolean raw = false;
        for (AnnDataStore s : stores) {
            obs.addAll(s.obs().inventory());
            obsm.addAll(s.obsmKeys());
            layers.addAll(s.layerKeys());
            raw |= s.matrix("raw.X") != null; // a pre-0.7 root-level raw.X is not read (§7.1)
        }
        List<String> obsAsked = new ArrayList<>(o.obsKeys() == null ? List.of() : o.obsKeys());
        if (o.obsFilter() != null) {
            o.obsFilter().keySet().stream().filter(k -> !obsAsked.contains(k)).forEach(obsAsked::add);
        }
        warnMissing("obs key", obsAsked, obs, warnings);
        warnMissing("obsm key", o.obsmKeys() == null ? List.of() : o.obsmKeys(), obsm, warnings);
        List<String> layerAsked = new ArrayList<>();
        for (String k : o.layersKeys()) {
            if (k.equals("raw.X")) {
                if (!raw) {
                    warnings.add("layers key 'raw.X' is in no store of the collection: no store has a raw/X"
                            + " element (a pre-0.7 root-level raw.X is not read, as in lamindb)");
                }
            } else if (!k.equals("X")) {
                layerAsked.add(k);
            }
        }
        warnMissing("layers key", layerAsked, layers, warnings);
    }

    private static void warnMissing(String what, List<String> asked, Set<String> existing, List<String> warnings) {
        for (String k : asked) {
            if (!existing.contains(k)) {
                warnings.add(what + " '" + k + "' is in no store of the collection; samples will not have it. "
                        + capitalize(what) + "s that exist: " + examples(existing, x -> "'" + x + "'"));
            }
        }
    }

    /** The forms of {@code t} that some label equals: the string, the typed value, or both. */
    private static List<Object> matchingForms(TextLabel t, Set<Object> canonicalLabels) {
        List<Object> out = new ArrayList<>(2);
        for (Object f : t.forms()) {
            if (canonicalLabels.contains(Labels.canonical(f))) {
                out.add(f);
            }
        }
        return out;
    }

    /** An unmatched text label typed like its column: a string where the column holds strings. */
    private static Object typedLike(TextLabel t, List<Column> present) {
        for (Column c : present) {
            if (holdsStrings(c)) {
                return t.text();
            }
        }
        return t.parsed();
    }

    private static boolean holdsStrings(Column c) {
        if (c.isCategorical()) {
            return c.categories().stream().anyMatch(x -> x instanceof String);
        }
        return c.kind() == ColumnKind.STRING;
    }

    /** A value given for a key that no store has: matched against nothing, so its form is moot. */
    private static Object untyped(Object v) {
        return v instanceof TextLabel ? ((TextLabel) v).parsed() : v;
    }

    private static boolean matches(Object v, Set<Object> canonicalLabels) {
        if (v instanceof TextLabel) {
            return !matchingForms((TextLabel) v, canonicalLabels).isEmpty();
        }
        return v != Missing.MISSING && canonicalLabels.contains(Labels.canonical(v));
    }

    /** The distinct labels of the columns (categories, or every row's label), canonical. */
    private static Set<Object> labelsOf(List<Column> present) {
        Set<Object> out = new LinkedHashSet<>();
        for (Column c : present) {
            for (Object l : c.isCategorical() ? c.categories() : c.labels()) {
                if (l != null) {
                    out.add(Labels.canonical(l));
                }
            }
        }
        return out;
    }

    private static Set<Object> canonicalSet(Collection<Object> labels) {
        Set<Object> out = new HashSet<>();
        for (Object l : labels) {
            if (l != null && l != Missing.MISSING) {
                out.add(Labels.canonical(l));
            }
        }
        return out;
    }

    private static <T> String examples(Collection<T> values, Function<T, String> show) {
        if (values.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (T v : values) {
            if (i == EXAMPLES) {
                sb.append(", ... (").append(values.size()).append(" in all)");
                break;
            }
            sb.append(i++ == 0 ? "" : ", ").append(show.apply(v));
        }
        return sb.toString();
    }

    private static String quote(Object label) {
        return label instanceof String || label instanceof TextLabel ? "'" + label + "'" : String.valueOf(label);
    }

    private static String keyList(List<String> keys) {
        return (keys.size() == 1 ? "key '" : "keys '") + String.join("', '", keys) + "'";
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
