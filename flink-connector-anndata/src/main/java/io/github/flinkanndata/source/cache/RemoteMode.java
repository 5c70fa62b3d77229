package io.github.flinkanndata.source.cache;

import org.apache.flink.annotation.PublicEvolving;

/** How the source reads a remote store (a path with a scheme other than {@code file:}). */
@PublicEvolving
public enum RemoteMode {
    /**
     * In place, by byte ranges through Flink's file system: metadata, then only the chunks (or
     * inner-chunk ranges, zip entries, HDF5 pages) a read needs, through a bounded in-memory
     * range cache shared by the slots of a TaskManager. Nothing is written to local disk.
     */
    RANGE,
    /**
     * Copied whole into the node's store cache on disk first, then read locally (the behaviour
     * before range reads): for small stores, or file systems whose small reads are slow.
     */
    COPY
}
