package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.format.remote.ObjectInfo;
import io.github.flinkanndata.testutil.S3Loopback;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test (its name matches neither *Test nor *ITCase): the CPU one range request costs this
 * JVM on the loopback S3 endpoint, without Flink's runtime or any decoding. Uploads {@code
 * bench.objects} objects of {@code bench.objectBytes} bytes, lists them (the statuses ride along,
 * as in a job), then reads every object whole, one request each, on one thread, round after round
 * ({@code bench.rounds}; the first rounds warm the JIT up), and prints per request the CPU of the
 * reading thread and of the whole JVM (the S3 client's pool threads, GC and JIT included) and the
 * server's. {@code -Dbench.readBytes=N} reads N bytes of each object instead, at a random offset,
 * as ranges of a shard or an h5ad file are read. Rounds alternate between opening each range
 * directly and by S3A's {@code openFile} (see {@link HadoopOpener}); the second half of the rounds
 * is printed. Run: {@code mvn -o verify -Dtest=S3RequestCostBenchmark
 * -Danndata.s3.server.kind=gofakes3 -pl flink-connector-anndata}; {@code
 * -Danndata.s3.conf=key=value,...} sets further options of the S3 file system (see {@link
 * S3Loopback}); {@code -Dbench.jfr=FILE} records the second half of the rounds with Java Flight
 * Recorder's profiling settings.
 */
class S3RequestCostBenchmark {
    private static final int OBJECTS = Integer.getInteger("bench.objects", 200);
    private static final int OBJECT_BYTES = Integer.getInteger("bench.objectBytes", 67_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 30);
    /** Bytes read per request, from the start of a random offset's 4 KiB page; 0: each object whole. */
    private static final int READ_BYTES = Integer.getInteger("bench.readBytes", 0);

    @TempDir Path work;

    @Test
    void requestCost() throws Exception {
        try (S3Loopback s3 = S3Loopback.start(work)) {
            s3.createBucket("bench");
            Random random = new Random(1);
            for (int i = 0; i < OBJECTS; i++) {
                byte[] data = new byte[OBJECT_BYTES];
                random.nextBytes(data);
                s3.put("bench", "objects/" + i, data);
            }
            FlinkObjectStorage storage = new FlinkObjectStorage("s3://bench/objects");
            List<ObjectInfo> objects = new ArrayList<>(storage.list(""));
            if (objects.size() != OBJECTS) {
                throw new AssertionError("listed " + objects.size() + " objects, uploaded " + OBJECTS);
            }
            java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int length = READ_BYTES > 0 ? Math.min(READ_BYTES, OBJECT_BYTES) : OBJECT_BYTES;
            byte[] buffer = new byte[length];
            jdk.jfr.Recording recording = null;
            for (int round = 0; round < ROUNDS; round++) {
                if (round == ROUNDS / 2 && System.getProperty("bench.jfr") != null) {
                    // the second half, on a warmer JIT, into a flight recording
                    recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                    recording.start();
                }
                // odd rounds open each range by S3A's openFile (a hand-off to its pool), even ones directly
                boolean viaOpenFile = round % 2 == 1;
                storage.hadoopOpener().openViaOpenFile(viaOpenFile);
                java.util.Collections.shuffle(objects, random);
                long server0 = s3.serverCpuNanos();
                long process0 = processCpuNanos();
                long thread0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (ObjectInfo o : objects) {
                    long offset = (random.nextInt(OBJECT_BYTES - length + 1) / 4096) * 4096L;
                    storage.readVerified(o, offset, buffer, 0, length);
                }
                long wall = System.nanoTime() - t0;
                long thread = threads.getCurrentThreadCpuTime() - thread0;
                long process = processCpuNanos() - process0;
                long server = s3.serverCpuNanos() - server0;
                if (round >= ROUNDS / 2) {
                    System.out.printf("round %2d, %s: %d requests of %d bytes; per request: wall %.3f ms, CPU of the"
                            + " reading thread %.3f ms, of the JVM %.3f ms, of the server %.3f ms; load %s%n", round,
                            viaOpenFile ? "openFile" : "direct  ", OBJECTS, length, wall / 1e6 / OBJECTS, thread / 1e6 / OBJECTS,
                            process / 1e6 / OBJECTS, server / 1e6 / OBJECTS, String.format("%.2f",
                                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
                }
            }
            if (recording != null) {
                recording.stop();
                recording.dump(Path.of(System.getProperty("bench.jfr")));
                recording.close();
            }
        } finally {
            S3Loopback.resetFlink();
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
