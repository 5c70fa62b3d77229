/**
 * The HDF5 backend: {@code .h5ad} files read through jhdf, with the workarounds jhdf needs
 * (compound obsm fields, bounded reads, blosc and other filters) and the reading of a row range
 * chunk by chunk.
 */
package io.github.flinkanndata.format.h5ad;
