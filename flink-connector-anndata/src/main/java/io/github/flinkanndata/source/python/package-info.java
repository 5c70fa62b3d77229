/**
 * Records for PyFlink: rows of per-cell values ({@code CellRowFormat}) and mini-batches packed as
 * a few little-endian byte arrays per batch ({@code CellBatchRowFormat}), which the Python
 * package unpacks without a Row per cell.
 */
package io.github.flinkanndata.source.python;
