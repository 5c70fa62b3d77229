package io.github.flinkanndata.collection;

import java.io.Serializable;
import java.util.List;

/**
 * A label given as text whose spelling does not settle its type: {@code 1} is the integer 1 in an
 * integer column, but the string {@code "1"} in a column of string categories — what scanpy's
 * clustering writes for {@code leiden}. The text surfaces (command line, {@code anndata.*} keys,
 * SQL {@code scan.*} options, Python strings) give filter values and unknown labels in this form;
 * the planner resolves each against the labels of its column, once, and the plan keeps the typed
 * result (docs/semantics.md D17). Immutable.
 */
public final class TextLabel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String text;
    private final Object parsed;

    /**
     * @param text the text as written
     * @param parsed the typed value the text spells: a {@code Long}, {@code Double} or {@code
     *     Boolean}
     */
    TextLabel(String text, Object parsed) {
        if (!(parsed instanceof Long || parsed instanceof Double || parsed instanceof Boolean)) {
            throw new IllegalArgumentException("not a parsed label: " + parsed);
        }
        this.text = text;
        this.parsed = parsed;
    }

    /** The text as written (what a column of strings must hold to match). */
    public String text() {
        return text;
    }

    /** The value the text spells (what a numeric or boolean column must hold to match). */
    public Object parsed() {
        return parsed;
    }

    /** The two labels the text can stand for: the string first, then the typed value. */
    List<Object> forms() {
        return List.of(text, parsed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextLabel && ((TextLabel) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
