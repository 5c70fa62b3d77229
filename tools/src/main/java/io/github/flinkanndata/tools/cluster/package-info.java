/**
 * The job and checks of the real-cluster test ({@code scripts/cluster-test.sh}): exactly-once
 * output after kill -9 of a TaskManager.
 */
package io.github.flinkanndata.tools.cluster;
