package io.github.flinkanndata.tools.bench;

import io.github.flinkanndata.source.output.CellOutputFormat;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SamplingMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Our side of the side-by-side loader benchmark ({@code benchmarks/run.sh}): each case runs for
 * a warm-up, then is measured over a fixed wall time, and appends one JSON line to the output.
 *
 * <pre>
 * LoaderBenchmark --form NAME --stores DIR --out FILE [--warmup S] [--seconds S]
 *                 [--block 512] [--window 32] CASE...
 *
 * CASE  flink:SAMPLING:FORM:P   the source in an embedded MiniCluster at parallelism P, unbounded,
 *                               into {@link TouchSink}; SAMPLING = seq | block | weighted | uniform
 *                               (uniform = block-shuffled with 1-row blocks: per-cell random order),
 *                               FORM = sparse | dense
 *       coll:range              AnnDataCollection.getRange in blocks of --block rows, blocks in
 *                               random order, one thread, no Flink (sparse rows)
 *       coll:get                AnnDataCollection.get(i) at uniformly random i, one thread
 *       ceiling:MANIFEST        {@link DecodeCeiling} on the chunks a manifest lists
 *       batch:SAMPLING:FORM:P   as flink:, emitting mini-batches of the block size (CellBatch)
 *       ckpt:SAMPLING:FORM:P    as flink:, checkpointing every 200 ms; reports the last checkpoint's size
 *       plan                    planning the collection of DIR (what the enumerator does on start)
 * </pre>
 *
 * Stores are the {@code *.h5ad} files, {@code *.zarr} directories and {@code dataset_*} groups
 * (annbatch's collection layout) found in DIR, sorted. The JVM hosts the whole MiniCluster, so
 * the heap it reports is the TaskManagers' plus the JobManager's; run it with {@code -Xmx1g}.
 */
public final class LoaderBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String form = "";
    private Path storesDir;
    private Path out;
    private double warmup = 3;
    private double seconds = 5;
    private int block = 512;
    private int window = 32;
    private final List<String> cases = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        LoaderBenchmark b = new LoaderBenchmark();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--form": b.form = args[++i]; break;
                case "--stores": b.storesDir = Paths.get(args[++i]); break;
                case "--out": b.out = Paths.get(args[++i]); break;
                case "--warmup": b.warmup = Double.parseDouble(args[++i]); break;
                case "--seconds": b.seconds = Double.parseDouble(args[++i]); break;
                case "--block": b.block = Integer.parseInt(args[++i]); break;
                case "--window": b.window = Integer.parseInt(args[++i]); break;
                default: b.cases.add(args[i]);
            }
        }
        for (String c : b.cases) {
            ObjectNode r;
            try {
                r = b.run(c);
            } catch (Exception | OutOfMemoryError e) {
                // one failing case (an OutOfMemoryError under -Xmx1g, say) must not hide the others
                r = JSON.createObjectNode();
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                r.put("error", root.toString());
                System.gc();
            }
            r.put("form", b.form);
            r.put("case", c);
            r.put("load1", loadAverage());
            r.put("max_heap_mb", Probe.maxHeapBytes() / 1048576.0);
            String line = JSON.writeValueAsString(r);
            System.out.println(line);
            if (b.out != null) {
                Files.writeString(b.out, line + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
        System.exit(0); // MiniCluster leftovers must not keep the JVM alive
    }

    static List<String> stores(Path dir) throws IOException {
        List<String> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir, 3)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".h5ad") && Files.isRegularFile(p))
                        || (n.endsWith(".zarr") && Files.isRegularFile(p.resolve("X/zarr.json")))
                        || (n.startsWith("dataset_") && Files.isDirectory(p));
            }).map(Path::toString).sorted().forEach(paths::add);
        }
        return paths;
    }

    private ObjectNode run(String c) throws Exception {
        String[] p = c.split(":");
        switch (p[0]) {
            case "flink":
                return flink(p[1], p[2], Integer.parseInt(p[3]), false, false);
            case "batch":
                return flink(p[1], p[2], Integer.parseInt(p[3]), false, true);
            case "ckpt":
                return flink(p[1], p[2], Integer.parseInt(p[3]), true, false);
            case "coll":
                return collection(p[1]);
            case "ceiling":
                return DecodeCeiling.run(Paths.get(c.substring("ceiling:".length())), seconds, JSON);
            case "plan":
                return plan();
            default:
                throw new IllegalArgumentException("unknown case " + c);
        }
    }

    private ObjectNode flink(String sampling, String output, int parallelism, boolean checkpoints, boolean batches)
            throws Exception {
        List<String> paths = stores(storesDir);
        AnnDataSourceBuilder b = AnnDataSource.builder(paths.toArray(new String[0]))
                .obsKeys("cell_type")
                .output(output.equals("dense") ? OutputForm.DENSE : OutputForm.SPARSE)
                .epochs(AnnDataSourceBuilder.UNBOUNDED)
                .seed(42);
        switch (sampling) {
            case "seq": b.sampling(SamplingMode.SEQUENTIAL); break;
            case "block": b.sampling(SamplingMode.BLOCK_SHUFFLED).blockSize(block).windowBlocks(window); break;
            case "uniform": b.sampling(SamplingMode.BLOCK_SHUFFLED).blockSize(1).windowBlocks(block); break;
            case "weighted":
                b.sampling(SamplingMode.WEIGHTED).blockSize(block).windowBlocks(window).weightKeys("cell_type");
                break;
            default: throw new IllegalArgumentException("sampling " + sampling);
        }
        Path ckptDir = checkpoints ? Files.createTempDirectory("loader-bench-ckpt") : null;
        // batches of the block size: annbatch's granularity (its chunk) in the side-by-side run
        FlinkRun.Result r = batches
                ? FlinkRun.measure(b.build(CellOutputFormat.batches(block)), new TouchSink.Batches(), parallelism,
                        warmup, seconds, ckptDir)
                : FlinkRun.measure(b.build(), new TouchSink(), parallelism, warmup, seconds, ckptDir);
        if (ckptDir != null) {
            deleteTree(ckptDir);
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("loader", batches ? "ours-flink-batch" : "ours-flink");
        o.put("sampling", sampling);
        o.put("output", output);
        o.put("parallelism", parallelism);
        o.put("stores", paths.size());
        o.put("cells", r.cells);
        o.put("values", r.values);
        o.put("seconds", r.seconds);
        o.put("cells_per_s", r.cells / r.seconds);
        o.put("cpu_s", r.cpuSeconds);
        o.put("cells_per_cpu_s", r.cells / r.cpuSeconds);
        ObjectNode stages = o.putObject("cpu_s_by_stage");
        r.cpuByStage.forEach(stages::put);
        o.put("first_record_s", r.firstRecordSeconds);
        o.put("peak_heap_mb", r.peakHeap / 1048576.0);
        o.put("peak_live_heap_mb", r.peakLiveHeap / 1048576.0);
        o.put("live_heap_full_gc_mb", r.liveAfterFullGc / 1048576.0);
        o.put("peak_rss_mb", r.peakRss / 1048576.0);
        if (checkpoints) {
            o.put("checkpoint_bytes", r.checkpointBytes);
            o.put("rows", rows(paths));
        }
        return o;
    }

    private static long rows(List<String> paths) throws Exception {
        long n = 0;
        for (String p : paths) {
            try (io.github.flinkanndata.format.AnnDataStore s = io.github.flinkanndata.format.AnnDataStore.open(Paths.get(p))) {
                n += s.x().rows();
            }
        }
        return n;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private ObjectNode collection(String kind) throws Exception {
        List<String> paths = stores(storesDir);
        ObjectNode o = JSON.createObjectNode();
        o.put("loader", "ours-collection");
        o.put("sampling", kind);
        o.put("parallelism", 1);
        try (Probe probe = new Probe();
                AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).obsKeys("cell_type").build())) {
            long n = c.size();
            SplittableRandom rng = new SplittableRandom(7);
            double[] acc = new double[1];
            long[] counts = new long[2];
            Runnable step;
            if (kind.equals("range")) {
                long blocks = (n + block - 1) / block;
                step = () -> {
                    long b0 = rng.nextLong(blocks) * block;
                    try {
                        for (Sample s : c.getRange(b0, Math.min(n, b0 + block), true)) {
                            counts[1] += TouchSink.touch(s.layer("X"), acc);
                            counts[0]++;
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                };
            } else {
                step = () -> {
                    try {
                        Sample s = c.get(rng.nextLong(n));
                        counts[1] += TouchSink.touch(s.layer("X").toSparse(), acc);
                        counts[0]++;
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                };
            }
            long end = System.nanoTime() + (long) (warmup * 1e9);
            while (System.nanoTime() < end) {
                step.run();
            }
            counts[0] = 0;
            counts[1] = 0;
            long t0 = System.nanoTime();
            long cpu0 = Probe.processCpuNanos();
            end = t0 + (long) (seconds * 1e9);
            long now;
            while ((now = System.nanoTime()) < end) {
                step.run();
            }
            double secs = (now - t0) / 1e9;
            double cpu = (Probe.processCpuNanos() - cpu0) / 1e9;
            o.put("cpu_s", cpu);
            o.put("cells_per_cpu_s", counts[0] / cpu);
            TouchSink.blackhole = acc[0];
            o.put("stores", paths.size());
            o.put("cells", counts[0]);
            o.put("values", counts[1]);
            o.put("seconds", secs);
            o.put("cells_per_s", counts[0] / secs);
            o.put("peak_heap_mb", probe.peakHeapBytes() / 1048576.0);
            o.put("peak_live_heap_mb", probe.peakLiveHeapBytes() / 1048576.0);
            o.put("peak_rss_mb", Probe.peakRssBytes() / 1048576.0);
        }
        return o;
    }

    /** Planning time of the collection: what the enumerator runs before the first split. */
    private ObjectNode plan() throws Exception {
        List<String> paths = stores(storesDir);
        ObjectNode o = JSON.createObjectNode();
        o.put("loader", "ours-plan");
        long t0 = System.nanoTime();
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths)
                .obsKeys("cell_type").join("outer").build())) {
            double secs = (System.nanoTime() - t0) / 1e9;
            byte[] state = CollectionPlanCodec.toBytes(c.plan(), false);
            o.put("stores", paths.size());
            o.put("cells", c.size());
            o.put("plan_seconds", secs);
            o.put("plan_bytes", state.length);
        }
        return o;
    }

    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Paths.get("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
