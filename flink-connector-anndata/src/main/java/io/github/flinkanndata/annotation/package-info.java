/**
 * The connector's own API markers, for the layers that must not import Flink ({@code format},
 * {@code collection}). Depends on nothing.
 */
package io.github.flinkanndata.annotation;
