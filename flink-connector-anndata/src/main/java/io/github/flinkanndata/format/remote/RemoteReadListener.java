package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;

/**
 * Told about every request {@link RangeReader} makes and every range it finds cached, so that the
 * source can keep metrics (bytes fetched, requests, hits and misses, fetch latency) without this
 * layer knowing Flink. Called from fetch threads: implementations must be thread-safe and quick.
 */
@Internal
public interface RemoteReadListener {
    RemoteReadListener NONE = new RemoteReadListener() {};

    /** One successful byte-range request of {@code bytes} bytes that took {@code nanos}. */
    default void fetched(long bytes, long nanos) {}

    /** One metadata request (a status or a listing). */
    default void metadataRequest() {}

    /** A range was found in the cache. */
    default void cacheHit(long bytes) {}

    /** A range was not in the cache and will be fetched. */
    default void cacheMiss(long bytes) {}

    /** A transient failure that will be retried. */
    default void retried() {}
}
