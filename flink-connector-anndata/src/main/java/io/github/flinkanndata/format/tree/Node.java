package io.github.flinkanndata.format.tree;

import java.util.Map;

/**
 * A group or an array inside a store. Implementations are immutable handles and safe for
 * concurrent use by several threads.
 */
public interface Node {

    /** Path inside the store, slash-separated, without a leading slash; the root is {@code ""}. */
    String path();

    /** Location of the store this node belongs to, for messages ({@link Container#location()}). */
    String store();

    /**
     * The node's attributes, normalised to a small set of Java types so that the AnnData layer
     * never sees a backend type:
     *
     * <ul>
     *   <li>{@code String}; {@code Long} for any integer; {@code Double} for any float; {@code
     *       Boolean} (HDF5 enum booleans {@code "TRUE"/"FALSE"} and JSON booleans);
     *   <li>{@code List<Object>} of those for array attributes (an HDF5 empty {@code float64[0]}
     *       attribute, as h5py writes an empty list, is an empty list);
     *   <li>{@link NodeRef} for HDF5 object references; JSON objects as {@code Map<String,Object>}.
     * </ul>
     *
     * A store without attributes for this node (zarr v2 without {@code .zattrs}) gives an empty map.
     */
    Map<String, Object> attributes() throws AnnDataFormatException;
}
