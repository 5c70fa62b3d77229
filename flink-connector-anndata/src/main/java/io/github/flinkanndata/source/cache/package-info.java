/**
 * Remote stores: reading them in place by byte ranges through Flink's file systems (the default),
 * or copying them whole into a bounded node-local cache; the resolvers that pick one, their
 * settings and metrics.
 */
package io.github.flinkanndata.source.cache;
