/**
 * The SQL connector ({@code 'connector' = 'anndata'}): the table factory, its options (each
 * source option as {@code scan.<key>}), the schema derived from the collection, and rows as
 * {@code RowData}.
 */
package io.github.flinkanndata.table;
