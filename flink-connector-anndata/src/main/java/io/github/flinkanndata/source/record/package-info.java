/**
 * The records the source emits — per-cell {@code CellRecord} and mini-batch {@code CellBatch} —
 * with their type information and versioned serializers (bytes pinned by tests).
 */
package io.github.flinkanndata.source.record;
