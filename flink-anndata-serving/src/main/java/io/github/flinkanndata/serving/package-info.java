/**
 * Serving numbered mini-batches to PyTorch trainer ranks over Arrow Flight: the sink ({@link
 * io.github.flinkanndata.serving.BatchServingSink}) and its settings, the per-rank queues and
 * their acknowledgement protocol, and the Arrow wire form of a batch ({@link
 * io.github.flinkanndata.serving.ArrowBatches}).
 */
package io.github.flinkanndata.serving;
