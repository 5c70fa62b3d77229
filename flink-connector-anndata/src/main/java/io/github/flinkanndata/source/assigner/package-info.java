/**
 * Which splits an epoch has: sequential, block-shuffled and weighted split lists over the
 * collection's rows ({@code SamplingPolicy} and its policies), and handing them out epoch by
 * epoch ({@code SplitAssigner}).
 */
package io.github.flinkanndata.source.assigner;
