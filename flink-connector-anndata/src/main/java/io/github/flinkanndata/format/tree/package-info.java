/**
 * The backend-neutral view of a hierarchical store that h5ad and zarr both implement: groups,
 * arrays, attributes, data types, and the decoded-chunk cache ({@code ChunkCache}) shared by the
 * containers of a JVM within one global budget.
 */
package io.github.flinkanndata.format.tree;
