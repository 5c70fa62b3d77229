package io.github.flinkanndata.format.tree;

import java.io.Closeable;
import java.io.IOException;
import javax.annotation.Nullable;

/**
 * One open store seen as a tree of groups and arrays: the backend-neutral view that the AnnData
 * layer decodes. {@code h5ad} and {@code zarr} implement it; nothing above this interface knows
 * which one it talks to.
 *
 * <p>Thread safety: a container and all nodes obtained from it may be used by several threads at
 * once. {@link #close()} must not race with reads.
 */
public interface Container extends Closeable {

    /** The store's location as the user gave it, for messages. */
    String location();

    StoreFormat format();

    /** The root group. */
    GroupNode root() throws AnnDataFormatException;

    /**
     * The node at a slash-separated path relative to the root ({@code ""} is the root), or null
     * if nothing exists there.
     */
    @Nullable
    Node node(String path) throws AnnDataFormatException;

    @Override
    void close() throws IOException;
}
