package io.github.flinkanndata.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;

/** A trainer rank in Java: finds its server in the endpoint folder, pulls batches, reconnects. */
final class RankClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One received batch: its place, cells, CSR of X and the dense obsm entry "pad" (null if none). */
    record Received(int epoch, long g, long batches, String key, long[] globalIndex, int[] indptr, int[] indices,
            float[] values, float[] pad) {
        String id() {
            return epoch + ":" + g;
        }
    }

    private final Path dir;
    private final int rank;
    private final int world;
    private int epoch;
    private long g;
    final List<Received> received = new ArrayList<>();
    /** Batches received so far, for other threads. */
    final java.util.concurrent.atomic.AtomicInteger pulled = new java.util.concurrent.atomic.AtomicInteger();
    /** Whether the rank writes done-<rank>.json when it receives the end (as the Python client does). */
    boolean markDone = true;
    /** auto (the socket when the server offers one on this host), tcp or unix. */
    String transport = "auto";
    /** The servers' addresses this rank connected to. */
    /** Event loops of domain-socket clients, shut down when {@link #run} returns. */
    private io.netty.channel.EventLoopGroup loops;
    final java.util.Set<String> uris = java.util.concurrent.ConcurrentHashMap.newKeySet();
    volatile int reconnects;

    RankClient(Path dir, int rank, int world, int epoch, long next) {
        this.dir = dir;
        this.rank = rank;
        this.world = world;
        this.epoch = epoch;
        this.g = next + rank;
    }

    /**
     * Pulls until the end of the stream, at most {@code limit} batches (then returns false), waiting
     * {@code pauseMillis} after each batch; fails after {@code timeoutMillis} without a server.
     */
    boolean run(int limit, long pauseMillis, long timeoutMillis) throws Exception {
        try {
            return pull(limit, pauseMillis, timeoutMillis);
        } finally {
            if (loops != null) {
                loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
                loops = null;
            }
        }
    }

    private boolean pull(int limit, long pauseMillis, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try (BufferAllocator allocator = new RootAllocator()) {
            while (true) {
                JsonNode ep = endpoint();
                if (ep == null) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("no endpoint for rank " + rank + " in " + dir);
                    }
                    Thread.sleep(50);
                    continue;
                }
                Location location = location(ep);
                uris.add(location.getUri().toString());
                try (FlightClient client = client(allocator, location)) {
                    while (true) {
                        String ticket = "{\"rank\":" + rank + ",\"world\":" + world + ",\"epoch\":" + epoch + ",\"g\":"
                                + g + ",\"max\":4}";
                        try (FlightStream stream = client.getStream(new Ticket(ticket.getBytes(StandardCharsets.UTF_8)))) {
                            while (stream.next()) {
                                ArrowBuf buf = stream.getLatestMetadata();
                                byte[] bytes = new byte[(int) buf.readableBytes()];
                                buf.getBytes(0, bytes);
                                JsonNode meta = JSON.readTree(bytes);
                                if (meta.path("end").asBoolean(false)) {
                                    if (markDone) {
                                        markDone(ep);
                                    }
                                    return true;
                                }
                                received.add(decode(meta, stream.getRoot()));
                                pulled.incrementAndGet();
                                epoch = meta.get("epoch").asInt();
                                g = meta.get("g").asLong() + world;
                                deadline = System.currentTimeMillis() + timeoutMillis;
                                if (pauseMillis > 0) {
                                    Thread.sleep(pauseMillis);
                                }
                                if (received.size() >= limit) {
                                    stream.cancel("enough", null);
                                    return false;
                                }
                            }
                        }
                    }
                } catch (FlightRuntimeException e) {
                    reconnects++;
                    if (System.currentTimeMillis() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    /**
     * A client of {@code location}. Arrow's own builder fails for domain sockets (it casts the
     * client channel class to a server channel), so those go through a gRPC channel built here.
     */
    private FlightClient client(BufferAllocator allocator, Location location) {
        if (!"grpc+unix".equals(location.getUri().getScheme())) {
            return FlightClient.builder(allocator, location).build();
        }
        if (loops == null) {
            loops = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.epoll.EpollIoHandler.newFactory());
        }
        io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder
                .forAddress(new io.netty.channel.unix.DomainSocketAddress(location.getUri().getPath()))
                .eventLoopGroup(loops).channelType(io.netty.channel.epoll.EpollDomainSocketChannel.class)
                .usePlaintext().maxInboundMessageSize(Integer.MAX_VALUE).build();
        return org.apache.arrow.flight.FlightGrpcUtils.createFlightClient(allocator, channel);
    }

    /** The server's socket if offered on this host (unless transport is tcp), else its TCP address. */
    private Location location(JsonNode ep) throws java.net.URISyntaxException {
        boolean sameHost = ep.hasNonNull("boot_id") && ep.get("boot_id").asText().equals(FlightServers.bootId());
        if (!"tcp".equals(transport) && ep.hasNonNull("unix") && (sameHost || "unix".equals(transport))) {
            return new Location(ep.get("unix").asText());
        }
        if ("unix".equals(transport)) {
            throw new IllegalStateException("the server of rank " + rank + " offers no Unix-domain socket: " + ep);
        }
        return Location.forGrpcInsecure(ep.get("host").asText(), ep.get("port").asInt());
    }

    /** The rank's final acknowledgement, as the Python client writes it. */
    private void markDone(JsonNode ep) throws java.io.IOException {
        String done = "{\"run\":\"" + ep.path("run").asText() + "\",\"rank\":" + rank + ",\"world\":" + world + "}";
        Path tmp = dir.resolve(".done-" + rank + ".json.tmp");
        Files.writeString(tmp, done);
        Files.move(tmp, dir.resolve("done-" + rank + ".json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private JsonNode endpoint() throws Exception {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "endpoint-*.json")) {
            for (Path f : files) {
                JsonNode n = JSON.readTree(f.toFile());
                for (JsonNode r : n.get("ranks")) {
                    if (r.asInt() == rank) {
                        return n;
                    }
                }
            }
        }
        return null;
    }

    private static Received decode(JsonNode meta, VectorSchemaRoot root) {
        int n = root.getRowCount();
        BigIntVector gi = (BigIntVector) root.getVector("global_index");
        long[] global = new long[n];
        for (int i = 0; i < n; i++) {
            global[i] = gi.get(i);
        }
        int[] indptr = null;
        int[] indices = null;
        float[] values = null;
        if (root.getSchema().findField("X.indices") != null) {
            ListVector li = (ListVector) root.getVector("X.indices");
            ListVector lv = (ListVector) root.getVector("X.values");
            indptr = new int[n + 1];
            for (int i = 0; i <= n; i++) {
                indptr[i] = li.getOffsetBuffer().getInt((long) i * 4);
            }
            IntVector iv = (IntVector) li.getDataVector();
            Float4Vector fv = (Float4Vector) lv.getDataVector();
            indices = new int[indptr[n]];
            values = new float[indptr[n]];
            for (int j = 0; j < indptr[n]; j++) {
                indices[j] = iv.get(j);
                values[j] = fv.get(j);
            }
        }
        float[] pad = null;
        if (root.getVector("obsm.pad") instanceof FixedSizeListVector padList) {
            Float4Vector pv = (Float4Vector) padList.getDataVector();
            pad = new float[pv.getValueCount()];
            pv.getDataBuffer().nioBuffer(0, pad.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(pad);
        }
        return new Received(meta.get("epoch").asInt(), meta.get("g").asLong(), meta.get("G").asLong(),
                meta.get("key").asText(), global, indptr, indices, values, pad);
    }
}
