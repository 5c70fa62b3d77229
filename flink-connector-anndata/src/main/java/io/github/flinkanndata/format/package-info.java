/**
 * Reading AnnData stores without Flink: the store API ({@code AnnDataStore}, {@code
 * MatrixElement}, {@code DataFrame}, {@code Column}), the row blocks range reads return ({@code
 * RowBlock}), the one exception root of format errors ({@code AnnDataFormatException}, naming
 * store and element), and opening a store by its format ({@code Containers}). Imports no Flink
 * class; the layers above it are {@code collection}, {@code source}, {@code table}.
 */
package io.github.flinkanndata.format;
