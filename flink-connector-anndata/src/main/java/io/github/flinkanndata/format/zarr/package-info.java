/**
 * The zarr backend, v2 and v3 (sharding, zip stores): metadata parsing, chunk keys, the codec
 * pipeline (zstd, gzip, blosc, lz4, bz2, crc32c, transpose), absent chunks read as fill, and
 * range reads assembled from chunks. Every decompression is bounded by the size the chunk must
 * have.
 */
package io.github.flinkanndata.format.zarr;
