package io.github.flinkanndata.serving;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared-memory folder of one serving subtask ({@code /dev/shm}, memory-backed on Linux) and
 * its probe: a file holding a random nonce that the endpoint file names. A rank asks for its
 * batches through {@link SharedSlots} only when it reads the same nonce from the same path, so a
 * rank in a container with a folder of its own (or on another host) keeps the socket.
 *
 * <p>Files are named {@code anndata-serve-<run>-<subtask>-<attempt>...}; a subtask starting
 * removes those of its earlier attempts (a killed process leaves its probe, and slots a rank had
 * not mapped yet).
 */
final class SharedMemory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedMemory.class);
    private static final Path FOLDER = Paths.get("/dev/shm");
    /**
     * The files of this JVM still named, removed when it exits: memory in {@code /dev/shm} lives
     * until the file goes, and a job stopped by a signal does not always close its operators first.
     */
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(SharedMemory::delete),
                "anndata-shared-memory-cleanup"));
    }

    private final Path dir;
    private final String prefix;
    private final Path probe;
    private final String nonce;
    private int rings;

    private SharedMemory(Path dir, String prefix, Path probe, String nonce) {
        this.dir = dir;
        this.prefix = prefix;
        this.probe = probe;
        this.nonce = nonce;
    }

    /** The shared memory of a subtask's attempt, or null where there is no such folder (not Linux) or it fails. */
    @Nullable
    static SharedMemory open(ServingOptions options, int subtask, int attempt) {
        return open(FOLDER, options.runId().substring(0, 8), subtask, attempt);
    }

    @Nullable
    static SharedMemory open(Path dir, String run, int subtask, int attempt) {
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            return null;
        }
        String mine = "anndata-serve-" + run + "-" + subtask + "-";
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, mine + "*")) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
            String prefix = mine + attempt;
            String nonce = UUID.randomUUID().toString();
            Path probe = dir.resolve(prefix + ".probe");
            created(probe);
            Files.write(probe, nonce.getBytes(StandardCharsets.UTF_8));
            return new SharedMemory(dir, prefix, probe, nonce);
        } catch (IOException | RuntimeException e) {
            LOG.warn("no shared memory in {}: ranks on this host take the socket", dir, e);
            return null;
        }
    }

    /** A new ring of {@code slots} slots for {@code rank}. */
    SharedSlots ring(int rank, int slots) throws IOException {
        return new SharedSlots(dir, prefix + "-r" + rank + "-" + (rings++), slots);
    }

    /** Puts {@code shm: {probe, nonce}} into an endpoint file's JSON. */
    void describe(ObjectNode node) {
        ObjectNode shm = node.putObject("shm");
        shm.put("probe", probe.toString());
        shm.put("nonce", nonce);
    }

    /** JSON string escaping for the paths this class makes (quotes and backslashes). */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Removes the probe; rings are closed by their ranks' queues. */
    @Override
    public void close() {
        delete(probe);
    }

    /** Records a file made in the folder, to be removed at the latest when the JVM exits. */
    static void created(Path p) {
        LIVE.add(p);
    }

    /** Removes a file of the folder (one the rank removed already is fine); never throws. */
    static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot remove {}", p, e);
        }
        LIVE.remove(p);
    }
}
