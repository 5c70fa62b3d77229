/**
 * Output formats: what the reader turns decoded samples into where records are emitted ({@code
 * CellOutputFormat}): one record per cell or mini-batches. The same enumerator, splits and
 * checkpoints serve every format.
 */
package io.github.flinkanndata.source.output;
