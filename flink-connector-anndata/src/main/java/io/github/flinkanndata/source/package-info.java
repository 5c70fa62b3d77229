/**
 * The Flink source: {@code AnnDataSource} and its builder, the options declared once ({@code
 * AnnDataSourceOptions}) and the validated settings read from them ({@code SourceSettings}),
 * sampling modes and output forms.
 */
package io.github.flinkanndata.source;
