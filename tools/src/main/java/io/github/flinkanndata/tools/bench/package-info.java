/**
 * The loader benchmark's Flink and collection side ({@code benchmarks/run.sh}): cases, the decode
 * ceiling, memory and CPU probes.
 */
package io.github.flinkanndata.tools.bench;
