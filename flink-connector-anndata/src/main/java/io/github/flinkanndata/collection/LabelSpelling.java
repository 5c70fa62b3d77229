package io.github.flinkanndata.collection;

import java.util.regex.Pattern;

/**
 * Typing of label values written as text (command-line flags, configuration strings, SQL
 * options). A filter matches by label equality and the string {@code "3"} never equals the number
 * {@code 3}, so the spelling decides the type:
 *
 * <ul>
 *   <li>{@code nan} is {@link Missing#MISSING} (lamindb's NaN in a filter);
 *   <li>an integer ({@code 3}, {@code -2}) is a {@code Long}, a decimal ({@code 2.5}, {@code
 *       1e-3}) a {@code Double};
 *   <li>{@code true} / {@code false} are booleans;
 *   <li>{@code s:VALUE} is the string VALUE, whatever it looks like ({@code s:3}, {@code s:nan});
 *   <li>anything else is a string.
 * </ul>
 */
public final class LabelSpelling {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][+-]?\\d+)?");

    private LabelSpelling() {}

    /** The label a text spells (see the class comment). */
    public static Object parse(String v) {
        if (v.startsWith("s:")) {
            return v.substring(2);
        }
        if (v.equals("nan")) {
            return Missing.MISSING;
        }
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
        return v;
    }
}
