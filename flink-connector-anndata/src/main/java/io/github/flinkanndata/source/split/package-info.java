/**
 * Splits: a split is a list of segments of kept rows with its epoch and position ({@code
 * AnnDataSplit}, {@code Segment}), its checkpointed state and serializer, and the order its cells
 * are emitted in ({@code SplitOrder}, derived from the row space and seeds alone).
 */
package io.github.flinkanndata.source.split;
