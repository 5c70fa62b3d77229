package io.github.flinkanndata.source;

import io.github.flinkanndata.collection.LabelSpelling;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The one reading and writing of the option values that are more than a Flink type: the obs
 * filter, encode-labels and the unknown label, for every surface. Flink parses the lists ({@code
 * ;}) and maps ({@code key:value,...}); this class reads what is inside them: a filter value's
 * alternatives are separated by {@code |} (an alternative holding {@code |} is quoted, {@code
 * 'a|b'}, a quote doubled inside), each a label as {@link LabelSpelling} reads it; encode-labels is
 * {@code true}, {@code false} or keys; the unknown label is one label, or {@code key=label} pairs.
 */
@Internal
public final class OptionValues {
    private OptionValues() {}

    /** The filter a spelled {@code obs-filter} stands for: key to accepted labels. */
    public static Map<String, List<Object>> filter(Map<String, String> spelled) {
        Map<String, List<Object>> filter = new LinkedHashMap<>();
        spelled.forEach((key, values) -> {
            List<Object> labels = new ArrayList<>();
            for (String v : split(values, '|')) {
                labels.add(LabelSpelling.parse(v));
            }
            filter.put(key, labels);
        });
        return filter;
    }

    @Nullable
    static String filterProblem(Map<String, String> spelled) {
        for (Map.Entry<String, String> e : spelled.entrySet()) {
            if (e.getKey().isEmpty() || split(e.getValue(), '|').contains("")) {
                return "empty value for key '" + e.getKey() + "' in '" + e.getValue() + "'";
            }
        }
        return null;
    }

    /** The spelled filter of typed labels ({@code Missing.MISSING}, strings, numbers, booleans). */
    public static Map<String, String> spellFilter(Map<String, ?> filter) {
        Map<String, String> spelled = new LinkedHashMap<>();
        filter.forEach((key, v) -> {
            Iterable<?> values = v instanceof Iterable ? (Iterable<?>) v
                    : v instanceof Object[] ? List.of((Object[]) v) : java.util.Collections.singletonList(v);
            List<String> texts = new ArrayList<>();
            for (Object label : values) {
                texts.add(quote(LabelSpelling.spell(label, "obs_filter value for '" + key + "'"), '|'));
            }
            spelled.put(key, String.join("|", texts));
        });
        return spelled;
    }

    /** encode-labels: {@code Boolean.TRUE} / {@code FALSE} for {@code true} / {@code false}, else the keys. */
    public static Object encodeLabels(List<String> spelled) {
        if (spelled.size() == 1 && (spelled.get(0).equals("true") || spelled.get(0).equals("false"))) {
            return Boolean.valueOf(spelled.get(0));
        }
        return List.copyOf(spelled);
    }

    /** The unknown label: one label, or a map key to label when the values are {@code key=label} pairs. */
    public static Object unknownLabel(List<String> spelled) {
        if (!perKey(spelled)) {
            return LabelSpelling.parse(spelled.get(0));
        }
        Map<String, Object> labels = new LinkedHashMap<>();
        for (String pair : spelled) {
            int eq = pair.indexOf('=');
            labels.put(pair.substring(0, eq).trim(), LabelSpelling.parse(pair.substring(eq + 1)));
        }
        return labels;
    }

    @Nullable
    static String unknownLabelProblem(List<String> spelled) {
        if (spelled.size() == 1 && !perKey(spelled)) {
            return null;
        }
        for (String pair : spelled) {
            if (!perKey(List.of(pair)) || pair.indexOf('=') == 0) {
                return "expected one label or key=label pairs separated by ';', got " + spelled;
            }
        }
        return null;
    }

    private static boolean perKey(List<String> spelled) {
        String first = spelled.isEmpty() ? "" : spelled.get(0);
        return first.contains("=") && !first.startsWith("s:");
    }

    /** {@code text} split at {@code sep}, except inside quotes ({@code 'a|b'}, {@code "a|b"}; a quote doubled inside). */
    public static List<String> split(String text, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == sep) {
                parts.add(part.toString());
                part.setLength(0);
            } else if (part.length() == 0 && (c == '\'' || c == '"')) {
                for (i++; i < text.length(); i++) {
                    if (text.charAt(i) == c) {
                        if (i + 1 >= text.length() || text.charAt(i + 1) != c) {
                            break; // the closing quote
                        }
                        i++; // a doubled quote
                    }
                    part.append(text.charAt(i));
                }
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return parts;
    }

    /** {@code text} quoted for {@link #split} if it holds {@code sep} or starts with a quote. */
    public static String quote(String text, char sep) {
        if (text.indexOf(sep) < 0 && !text.startsWith("'") && !text.startsWith("\"")) {
            return text;
        }
        return "'" + text.replace("'", "''") + "'";
    }
}
