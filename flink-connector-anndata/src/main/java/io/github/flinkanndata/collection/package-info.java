/**
 * The collection: many stores read as one, lamindb's {@code MappedCollection} semantics
 * (docs/semantics.md) without Flink. Options ({@code CollectionOptions}), the plan made once and
 * shipped to every reader ({@code CollectionPlan} and its codec), the variable join and row
 * mapping, obs labels and their encoding, filters and weights, growth of a collection, and
 * decoding samples from range reads ({@code SampleDecoder}, {@code Sample}).
 */
package io.github.flinkanndata.collection;
