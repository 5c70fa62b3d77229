/**
 * The {@code anndata-cli} command line (picocli): inspect, dump, summary, weights, stream, train
 * and features over a collection.
 */
package io.github.flinkanndata.tools.cli;
