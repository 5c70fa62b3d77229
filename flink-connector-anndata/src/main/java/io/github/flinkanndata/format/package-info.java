/**
 * Reading AnnData stores without Flink: the store API ({@code AnnDataStore}, {@code
 * MatrixElement}, {@code DataFrame}, {@code Column}), the row blocks range reads return ({@code
 * RowBlock}), and opening a store by its format ({@code Containers}, through the backends
 * registered as {@code format.tree.ContainerBackend}s, so that this package imports none of
 * them). Imports no Flink class; the layers above it are {@code collection}, {@code source},
 * {@code table}.
 */
package io.github.flinkanndata.format;
