package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.util.List;
import javax.annotation.Nullable;

/**
 * A collection cannot be built or read because of what its stores hold: a CSC matrix, a store
 * without X, stores that share no variables, duplicate var names under a join, an obs key mixing
 * strings and numbers. A subclass of the format layer's exception so callers catch one checked
 * root. Invalid options are {@link IllegalArgumentException}s instead: they are caller errors.
 */
public final class CollectionException extends AnnDataFormatException {
    private static final long serialVersionUID = 1L;

    // Set for collection-wide problems, whose message names several stores itself.
    @Nullable private final String collectionMessage;

    private CollectionException(String store, @Nullable String element, String problem,
            @Nullable String collectionMessage) {
        super(store, element, problem);
        this.collectionMessage = collectionMessage;
    }

    /** A problem of one element of one store; the message names both. */
    static CollectionException inStore(String store, @Nullable String element, String problem) {
        return new CollectionException(store, element, problem, null);
    }

    /** A problem of the stores together (no shared variables, a key mixing types). */
    static CollectionException inCollection(List<String> stores, String problem) {
        String names = String.join(", ", stores);
        return new CollectionException(names, null, problem, problem + " (stores: " + names + ")");
    }

    @Override
    public String getMessage() {
        return collectionMessage != null ? collectionMessage : super.getMessage();
    }
}
