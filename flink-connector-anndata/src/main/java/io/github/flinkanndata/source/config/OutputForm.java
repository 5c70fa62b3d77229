package io.github.flinkanndata.source.config;

import org.apache.flink.annotation.PublicEvolving;

/** The form of the matrix rows in emitted records. */
@PublicEvolving
public enum OutputForm {
    /** Column indices and values of the stored entries: compact for sparse data. */
    SPARSE,
    /** Full vectors in the joint gene order: lamindb's form. */
    DENSE
}
