package io.github.flinkanndata.format.tree;

import javax.annotation.Nullable;

/**
 * The one checked exception of the format layer. Its message always names the store and, where
 * known, the element (node path inside the store) and what was expected or found, so that a user
 * reading a Flink job failure can go straight to the offending file.
 */
public class AnnDataFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String store;
    @Nullable private final String element;

    public AnnDataFormatException(String store, @Nullable String element, String problem) {
        this(store, element, problem, null);
    }

    public AnnDataFormatException(
            String store, @Nullable String element, String problem, @Nullable Throwable cause) {
        super(format(store, element, problem), cause);
        this.store = store;
        this.element = element;
    }

    private static String format(String store, @Nullable String element, String problem) {
        String where = element == null || element.isEmpty() ? "" : ", element '" + element + "'";
        return "store '" + store + "'" + where + ": " + problem;
    }

    /** The store (path or URI) the problem was found in. */
    public String store() {
        return store;
    }

    /** The element path inside the store, or null when the problem concerns the whole store. */
    @Nullable
    public String element() {
        return element;
    }
}
