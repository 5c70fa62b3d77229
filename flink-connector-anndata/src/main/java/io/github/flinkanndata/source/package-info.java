/**
 * The Flink source: {@code AnnDataSource} and its builder, the options declared once ({@code
 * AnnDataSourceOptions}), their text forms ({@code OptionValues}), and the one place that reads
 * and validates them into the settings of {@code source.config} ({@code SettingsReader}). It
 * creates the readers and enumerators of its subpackages, none of which depends on it.
 */
package io.github.flinkanndata.source;
