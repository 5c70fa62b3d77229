package io.github.flinkanndata.format.tree;

import java.util.List;

/** A node that holds other nodes. */
public interface GroupNode extends Node {

    /** Names of the direct children, sorted by code point (listing order is never meaningful). */
    List<String> children() throws AnnDataFormatException;
}
