/**
 * The streaming feature-pipeline example: per-cell features, running gene statistics and highly
 * variable genes computed from the source's records.
 */
package io.github.flinkanndata.examples.features;
