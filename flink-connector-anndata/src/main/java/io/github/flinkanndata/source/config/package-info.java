/**
 * The values the source is configured with, below the source package so that its readers,
 * enumerators and row formats can use them without depending back on it: the sampling modes and
 * output forms, and the validated settings ({@code SourceSettings}) the source package reads from
 * its options.
 */
package io.github.flinkanndata.source.config;
