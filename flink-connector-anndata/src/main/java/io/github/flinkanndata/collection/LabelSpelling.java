package io.github.flinkanndata.collection;

import java.util.regex.Pattern;

/**
 * The one reading of label values written as text, shared by every text surface (command-line
 * flags, {@code anndata.*} configuration keys, SQL {@code scan.*} options, Python strings). A
 * filter matches by label equality, and the string {@code "3"} never equals the number {@code 3},
 * so text that could be either is typed by its column, not by its spelling (docs/semantics.md
 * D17):
 *
 * <ul>
 *   <li>{@code nan} is {@link Missing#MISSING} (lamindb's NaN in a filter);
 *   <li>a number ({@code 3}, {@code -2}, {@code 2.5}, {@code 1e-3}) or {@code true} / {@code
 *       false} is a {@link TextLabel}: when the plan is made it becomes the string in a column of
 *       strings, the number or boolean in a numeric or boolean column;
 *   <li>{@code s:VALUE} is the string VALUE, whatever it looks like ({@code s:3}, {@code s:nan});
 *   <li>anything else is a string.
 * </ul>
 */
public final class LabelSpelling {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][+-]?\\d+)?");

    private LabelSpelling() {}

    /**
     * The label a text stands for (see the class comment): a {@code String}, {@link
     * Missing#MISSING}, or a {@link TextLabel} that the planner types by its column.
     */
    public static Object parse(String v) {
        if (v.startsWith("s:")) {
            return v.substring(2);
        }
        if (v.equals("nan")) {
            return Missing.MISSING;
        }
        Object typed = spelledValue(v);
        return typed == null ? v : new TextLabel(v, typed);
    }

    /** The number or boolean a text spells, or null if it spells neither. */
    static Object spelledValue(String v) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        if (INTEGER.matcher(v).matches()) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException tooBig) {
                return Double.parseDouble(v);
            }
        }
        if (DECIMAL.matcher(v).matches()) {
            return Double.parseDouble(v);
        }
        return null;
    }
}
