/**
 * A sink used by the examples that commits its output exactly once.
 */
package io.github.flinkanndata.examples.sink;
