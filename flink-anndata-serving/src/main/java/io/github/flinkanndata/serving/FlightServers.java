package io.github.flinkanndata.serving;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flight servers of one serving subtask, by {@link ServingOptions#transport()}: TCP on the
 * bind address, a Unix-domain socket (Netty's epoll transport) for ranks on the same host, or both;
 * and how the endpoint file names them.
 */
final class FlightServers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FlightServers.class);

    /**
     * Send buffer asked for a Unix-domain socket connection. With the kernel's default (about 200
     * KB) a batch of megabytes went out in dozens of fills, each a wake-up of the event loop and of
     * the rank; the kernel grants at most {@code net.core.wmem_max}, so where that is small nothing
     * changes.
     */
    static final int UNIX_SEND_BUFFER = 4 << 20;

    private final String bindHost;
    /** The TCP server, or null (transport unix). */
    @Nullable private final FlightServer tcp;
    /** The Unix-domain socket server, its event loops and socket file, or null. */
    @Nullable private final FlightServer unix;
    @Nullable private final EventLoopGroup loops;
    @Nullable private final Path socket;

    private FlightServers(String bindHost, @Nullable FlightServer tcp, @Nullable FlightServer unix,
            @Nullable EventLoopGroup loops, @Nullable Path socket) {
        this.bindHost = bindHost;
        this.tcp = tcp;
        this.unix = unix;
        this.loops = loops;
        this.socket = socket;
    }

    /** Starts the servers of subtask {@code subtask}'s attempt {@code attempt}; none is left running on failure. */
    static FlightServers start(ServingOptions options, int subtask, int attempt, Path endpointDir,
            BufferAllocator allocator, FlightProducer producer) throws IOException {
        ServingOptions.Transport transport = options.transport();
        if (transport == ServingOptions.Transport.UNIX && !Epoll.isAvailable()) {
            throw new IOException("serving over a Unix-domain socket needs Netty's epoll transport, unavailable here",
                    Epoll.unavailabilityCause());
        }
        boolean unix = transport == ServingOptions.Transport.UNIX
                || (transport == ServingOptions.Transport.AUTO && Epoll.isAvailable());
        FlightServer tcp = null;
        FlightServer uds = null;
        EventLoopGroup loops = null;
        Path sock = null;
        try {
            if (transport != ServingOptions.Transport.UNIX) {
                tcp = FlightServer.builder(allocator, Location.forGrpcInsecure(options.bindHost(), 0), producer)
                        .build().start();
            }
            if (unix) {
                sock = socketPath(options, subtask, attempt, endpointDir);
                Files.createDirectories(sock.getParent());
                Files.deleteIfExists(sock);
                loops = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
                uds = FlightServer.builder(allocator, Location.forGrpcDomainSocket(sock.toString()), producer)
                        .transportHint("netty.channelType", EpollServerDomainSocketChannel.class)
                        .transportHint("netty.bossEventLoopGroup", loops)
                        .transportHint("netty.workerEventLoopGroup", loops)
                        .transportHint("grpc.builderConsumer", (Consumer<NettyServerBuilder>) b ->
                                b.withChildOption(ChannelOption.SO_SNDBUF, UNIX_SEND_BUFFER))
                        .build().start();
            }
            return new FlightServers(options.bindHost(), tcp, uds, loops, sock);
        } catch (IOException | RuntimeException e) {
            new FlightServers(options.bindHost(), tcp, uds, loops, sock).close();
            throw e;
        }
    }

    /**
     * The socket file: in the endpoint folder, named by run, subtask and attempt (a restarted
     * subtask never meets its predecessor's), or in the temp folder if that path is too long for
     * a socket address (about 108 bytes).
     */
    private static Path socketPath(ServingOptions options, int subtask, int attempt, Path endpointDir) {
        String name = "flight-" + options.runId().substring(0, 8) + "-" + subtask + "-" + attempt + ".sock";
        Path p = endpointDir.resolve(name);
        if (p.toString().getBytes(StandardCharsets.UTF_8).length > 100) {
            p = Paths.get(System.getProperty("java.io.tmpdir"), "anndata-serve-" + name).toAbsolutePath();
        }
        return p;
    }

    /** The kernel's boot id: equal in the endpoint file and a rank's host when they share one (Linux). */
    @Nullable
    static String bootId() {
        try {
            return Files.readString(Paths.get("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Puts the servers' addresses into an endpoint file's JSON: {@code uri}, {@code tcp} and {@code unix}. */
    void describe(ObjectNode node) {
        String unixUri = socket == null ? null : "grpc+unix://" + socket;
        if (tcp != null) {
            String tcpUri = "grpc+tcp://" + bindHost + ":" + tcp.getPort();
            node.put("host", bindHost);
            node.put("port", tcp.getPort());
            node.put("tcp", tcpUri);
            node.put("uri", tcpUri);
        } else {
            node.put("uri", unixUri);
        }
        if (unixUri != null) {
            // for ranks whose kernel has this boot id (the same host); others take tcp
            node.put("unix", unixUri);
            node.put("boot_id", bootId());
        }
    }

    /** Stops the servers (waiting up to 5 s each) and removes the socket file; never throws. */
    @Override
    public void close() {
        for (FlightServer s : new FlightServer[] {tcp, unix}) {
            if (s != null) {
                try {
                    s.shutdown();
                    s.awaitTermination(5, TimeUnit.SECONDS);
                    s.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.warn("closing a Flight server", e);
                }
            }
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (socket != null) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.warn("cannot remove {}", socket, e);
            }
        }
    }

    @Override
    public String toString() {
        return (tcp == null ? "" : bindHost + ":" + tcp.getPort()) + (tcp != null && socket != null ? " and " : "")
                + (socket == null ? "" : socket.toString());
    }
}
