package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.io.Serializable;

/**
 * How {@link RangeReader} talks to a remote store: retries of transient failures (with doubling
 * backoff), how near two ranges must be to be fetched in one request, the largest request, and how
 * often an object's version is checked again. Immutable and serializable (it travels in the job
 * graph inside the source's settings).
 */
@Internal
public final class RemoteReadSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** 3 retries from 100 ms, ranges merged across gaps up to 64 KiB into requests up to 16 MiB, version checked after every unverified fetch. */
    public static final RemoteReadSettings DEFAULTS = new RemoteReadSettings(3, 100, 64 << 10, 16 << 20, 0);

    private final int retries;
    private final long backoffMillis;
    private final int coalesceGapBytes;
    private final int maxRequestBytes;
    private final long validateIntervalMillis;

    /**
     * @param retries times a transient failure is retried (0: none)
     * @param backoffMillis wait before the first retry, doubled before each further one
     * @param coalesceGapBytes two ranges of an object closer than this are fetched in one request
     * @param maxRequestBytes merged requests stop growing at this size (a single larger range is still one request)
     * @param validateIntervalMillis an object's version (length, modification time) is checked again
     *     after a fetch when the last check is older than this; 0 checks after every fetch
     */
    public RemoteReadSettings(int retries, long backoffMillis, int coalesceGapBytes, int maxRequestBytes,
            long validateIntervalMillis) {
        if (retries < 0 || backoffMillis < 0 || coalesceGapBytes < 0 || maxRequestBytes <= 0
                || validateIntervalMillis < 0) {
            throw new IllegalArgumentException("invalid remote read settings: retries=" + retries + ", backoff="
                    + backoffMillis + ", gap=" + coalesceGapBytes + ", maxRequest=" + maxRequestBytes
                    + ", validateInterval=" + validateIntervalMillis);
        }
        this.retries = retries;
        this.backoffMillis = backoffMillis;
        this.coalesceGapBytes = coalesceGapBytes;
        this.maxRequestBytes = maxRequestBytes;
        this.validateIntervalMillis = validateIntervalMillis;
    }

    public int retries() {
        return retries;
    }

    public long backoffMillis() {
        return backoffMillis;
    }

    public int coalesceGapBytes() {
        return coalesceGapBytes;
    }

    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    public long validateIntervalMillis() {
        return validateIntervalMillis;
    }

    public RemoteReadSettings withRetries(int n, long backoff) {
        return new RemoteReadSettings(n, backoff, coalesceGapBytes, maxRequestBytes, validateIntervalMillis);
    }

    public RemoteReadSettings withValidateIntervalMillis(long millis) {
        return new RemoteReadSettings(retries, backoffMillis, coalesceGapBytes, maxRequestBytes, millis);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RemoteReadSettings)) {
            return false;
        }
        RemoteReadSettings s = (RemoteReadSettings) o;
        return retries == s.retries && backoffMillis == s.backoffMillis && coalesceGapBytes == s.coalesceGapBytes
                && maxRequestBytes == s.maxRequestBytes && validateIntervalMillis == s.validateIntervalMillis;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(retries, backoffMillis, coalesceGapBytes, maxRequestBytes, validateIntervalMillis);
    }

    @Override
    public String toString() {
        return "retries=" + retries + ", backoff=" + backoffMillis + "ms, coalesceGap=" + coalesceGapBytes
                + ", maxRequest=" + maxRequestBytes + ", validateInterval=" + validateIntervalMillis + "ms";
    }
}
