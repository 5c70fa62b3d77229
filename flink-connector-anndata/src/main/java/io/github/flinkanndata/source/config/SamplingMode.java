package io.github.flinkanndata.source.config;

import org.apache.flink.annotation.PublicEvolving;

/** The order in which the source visits the collection in each epoch. */
@PublicEvolving
public enum SamplingMode {
    /**
     * lamindb order: store after store, rows ascending. Each sample once per epoch, the same order
     * every epoch.
     */
    SEQUENTIAL,
    /**
     * Blocks of consecutive rows in a seeded random order, rows permuted within windows of several
     * blocks: each sample once per epoch, a different order every epoch, reads at range-read speed.
     */
    BLOCK_SHUFFLED,
    /**
     * Draws with replacement, each sample with probability proportional to its label weight
     * (class balance), block-wise: as many draws per epoch as the collection has samples.
     */
    WEIGHTED
}
