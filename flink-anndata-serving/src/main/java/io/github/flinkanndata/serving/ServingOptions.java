package io.github.flinkanndata.serving;

import io.github.flinkanndata.source.record.BatchToken;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import javax.annotation.Nullable;

/**
 * Settings of the serving sink: where subtasks announce their endpoints, how many ranks pull,
 * how much each rank may have buffered, and how long a rank may stay away.
 */
public final class ServingOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String endpointDir;
    private final String bindHost;
    private final int worldSize;
    private final int bufferBatches;
    private final long idleTimeoutMillis;
    @Nullable private final String startToken;
    private final String runId;
    private final Transport transport;

    private ServingOptions(Builder b) {
        this.endpointDir = Objects.requireNonNull(b.endpointDir, "endpointDir");
        this.bindHost = b.bindHost;
        this.worldSize = b.worldSize;
        this.bufferBatches = b.bufferBatches;
        this.idleTimeoutMillis = b.idleTimeout.toMillis();
        this.startToken = b.startToken == null ? null : b.startToken.toString();
        this.runId = UUID.randomUUID().toString();
        this.transport = Objects.requireNonNull(b.transport, "transport");
        if (worldSize < 1) {
            throw new IllegalArgumentException("world size must be >= 1, was " + worldSize);
        }
        if (bufferBatches < 1) {
            throw new IllegalArgumentException("buffer must hold >= 1 batch per rank, was " + bufferBatches);
        }
        if (b.startToken != null && b.startToken.next() % worldSize != 0) {
            throw new IllegalArgumentException("token " + b.startToken + " is not at a step boundary of "
                    + worldSize + " ranks (its next batch is not a multiple of the world size)");
        }
    }

    public static Builder builder(String endpointDir) {
        return new Builder(endpointDir);
    }

    /** The folder holding {@code endpoint-<subtask>.json}. */
    public String endpointDir() {
        return endpointDir;
    }

    /** The address the Flight servers bind (and announce). */
    public String bindHost() {
        return bindHost;
    }

    /** Number of trainer ranks W. */
    public int worldSize() {
        return worldSize;
    }

    /** Whole batches a rank may have buffered (sent but unacknowledged included) before the sink blocks. */
    public int bufferBatches() {
        return bufferBatches;
    }

    /** How long a rank with batches waiting may stay away before the job fails. */
    public long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    /** The token the job's source started from, or null: where each rank starts before it connects. */
    @Nullable
    public BatchToken startToken() {
        return startToken == null ? null : BatchToken.parse(startToken);
    }

    /**
     * A random identifier of these options, hence of the job they were built for (they travel in
     * its graph, so a restarted attempt has the same one): endpoint files announce it, and a rank
     * names it in its {@code done-<rank>.json}, so a later job in the same folder ignores an old one.
     */
    public String runId() {
        return runId;
    }

    /** How the servers listen: see {@link Transport}. */
    public Transport transport() {
        return transport;
    }

    /** How a sink subtask's Flight server listens. */
    public enum Transport {
        /**
         * TCP on the bind address, and a Unix-domain socket beside it where Netty's epoll transport
         * is available (Linux x86-64): ranks on the server's host use the socket, others TCP.
         */
        AUTO,
        /** TCP only. */
        TCP,
        /** A Unix-domain socket only (ranks on the server's host); fails where epoll is unavailable. */
        UNIX;

        /** {@code auto}, {@code tcp} or {@code unix}, in any case. */
        public static Transport parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("transport must be auto, tcp or unix, was " + text);
            }
        }
    }

    /** Builder of {@link ServingOptions}. */
    public static final class Builder {
        private final String endpointDir;
        private String bindHost = "127.0.0.1";
        private int worldSize = 1;
        private int bufferBatches = 8;
        private Duration idleTimeout = Duration.ofMinutes(10);
        @Nullable private BatchToken startToken;
        private Transport transport = Transport.AUTO;

        private Builder(String endpointDir) {
            this.endpointDir = endpointDir;
        }

        public Builder bindHost(String host) {
            this.bindHost = host;
            return this;
        }

        public Builder worldSize(int w) {
            this.worldSize = w;
            return this;
        }

        public Builder bufferBatches(int n) {
            this.bufferBatches = n;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        public Builder startToken(@Nullable BatchToken token) {
            this.startToken = token;
            return this;
        }

        public Builder transport(Transport t) {
            this.transport = t;
            return this;
        }

        public ServingOptions build() {
            return new ServingOptions(this);
        }
    }
}
