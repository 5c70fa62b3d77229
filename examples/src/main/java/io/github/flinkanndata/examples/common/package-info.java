/**
 * What the example jobs share: {@link io.github.flinkanndata.examples.common.JobRuntime}, where a
 * job runs and how it reads its stores before it starts.
 */
package io.github.flinkanndata.examples.common;
