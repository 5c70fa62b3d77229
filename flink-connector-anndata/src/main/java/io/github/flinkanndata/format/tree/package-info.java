/**
 * The backend-neutral view of a hierarchical store that h5ad and zarr both implement: groups,
 * arrays, attributes, data types, the exception root of format errors ({@code
 * AnnDataFormatException}, naming store and element), the store formats ({@code StoreFormat}),
 * the backend registration ({@code ContainerBackend}, found through {@code ServiceLoader}), and
 * what both backends share: the decoded-chunk cache ({@code ChunkCache}) of a JVM within one
 * global budget and the guarded blosc binding ({@code NativeBlosc}). It depends on no backend and
 * on nothing else of {@code format} but {@code format.remote}, so the backends and the AnnData
 * layer above can both depend on it.
 */
package io.github.flinkanndata.format.tree;
