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
 *   <li>{@code i:3}, {@code f:2.5} and {@code b:true} are the integer, float and boolean, whatever
 *       the column (how the builders spell the typed labels they are given, {@link #spell});
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
        if (v.length() > 1 && v.charAt(1) == ':' && "ifb".indexOf(v.charAt(0)) >= 0) {
            Object typed = spelledValue(v.substring(2));
            boolean fits = v.charAt(0) == 'i' ? typed instanceof Long
                    : v.charAt(0) == 'f' ? typed instanceof Number : typed instanceof Boolean;
            if (!fits) {
                throw new IllegalArgumentException("label '" + v + "' does not spell the type its prefix names");
            }
            return v.charAt(0) == 'f' ? (Object) ((Number) typed).doubleValue() : typed;
        }
        if (v.equals("nan")) {
            return Missing.MISSING;
        }
        Object typed = spelledValue(v);
        return typed == null ? v : new TextLabel(v, typed);
    }

    /**
     * The text {@link #parse} reads back as the typed label {@code v}: {@code nan} for a missing
     * label, {@code s:} before a string, {@code i:}, {@code f:} or {@code b:} before an integer, a
     * float or a boolean; a {@link TextLabel} keeps its text.
     *
     * @throws IllegalArgumentException for a value that is no label, naming {@code what}
     */
    public static String spell(@javax.annotation.Nullable Object v, String what) {
        Object label = Labels.normalizeInput(v, what);
        if (label == Missing.MISSING) {
            return "nan";
        }
        if (label instanceof TextLabel) {
            return ((TextLabel) label).text();
        }
        return (label instanceof String ? "s:" : label instanceof Long ? "i:" : label instanceof Double ? "f:" : "b:")
                + label;
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
