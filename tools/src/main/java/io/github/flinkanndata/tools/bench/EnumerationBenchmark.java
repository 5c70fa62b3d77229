package io.github.flinkanndata.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.source.enumerator.AnnDataEnumState;
import io.github.flinkanndata.source.enumerator.AnnDataEnumStateSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The enumeration target of issue 5 ({@code benchmarks/enumeration.sh}): how long the split
 * enumerator's planning takes for a large number of stores, and whether its checkpointed state
 * grows with the number of rows.
 *
 * <pre>
 * EnumerationBenchmark --out FILE [--repeat 3] DIR...
 * </pre>
 *
 * For each DIR (the {@code *.h5ad} files and {@code *.zarr} directories in it, sorted), it runs
 * what the enumerator runs before its first split ({@code AnnDataSplitEnumerator#prepare}: open
 * every store, join the genes, merge the categories, build the encoder, encode the plan) {@code
 * --repeat} times in this JVM (the first run is cold: class loading, JIT, page cache as it is),
 * and serialises the enumerator's initial checkpoint state with its real serializer. Prints a
 * line per DIR and appends one JSON line to FILE.
 */
public final class EnumerationBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnumerationBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path out = null;
        int repeat = 3;
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out": out = Paths.get(args[++i]); break;
                case "--repeat": repeat = Integer.parseInt(args[++i]); break;
                default: dirs.add(Paths.get(args[i]));
            }
        }
        if (dirs.isEmpty() || repeat < 1) {
            System.err.println("usage: EnumerationBenchmark --out FILE [--repeat N] DIR...");
            System.exit(2);
        }
        for (Path dir : dirs) {
            ObjectNode r = run(dir, repeat);
            System.out.println(String.format(Locale.ROOT,
                    "%s: %d stores, %d cells: planning cold %.2f s (%.2f CPU-s), warm best %.2f s;"
                            + " plan %,d bytes, enumerator state %,d bytes; load %.1f",
                    dir, r.get("stores").asInt(), r.get("cells").asLong(), r.get("plan_seconds_cold").asDouble(),
                    r.get("plan_cpu_seconds_cold").asDouble(), r.get("plan_seconds_warm_best").asDouble(),
                    r.get("plan_bytes").asInt(), r.get("enum_state_bytes").asInt(), r.get("load1").asDouble()));
            if (out != null) {
                Files.write(out, (JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    private static ObjectNode run(Path dir, int repeat) throws Exception {
        List<String> paths = stores(dir);
        ObjectNode r = JSON.createObjectNode();
        r.put("dir", dir.toString());
        r.put("stores", paths.size());
        ArrayNode times = r.putArray("plan_seconds");
        ArrayNode cpuTimes = r.putArray("plan_cpu_seconds");
        byte[] plan = null;
        long cells = 0;
        for (int k = 0; k < repeat; k++) {
            long t0 = System.nanoTime();
            long cpu0 = Probe.processCpuNanos();
            // the enumerator's planning: open + plan + encode (AnnDataSplitEnumerator#prepare)
            try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths)
                    .obsKeys("cell_type").join("outer").build())) {
                CollectionPlan p = c.plan();
                plan = CollectionPlanCodec.toBytes(p, false);
                cells = p.size();
            }
            times.add((System.nanoTime() - t0) / 1e9);
            // CPU seconds of the whole JVM (GC and JIT included): on a shared machine the wall time
            // mostly says how long the planning thread waited for a core
            cpuTimes.add((Probe.processCpuNanos() - cpu0) / 1e9);
        }
        double warmBest = Double.MAX_VALUE;
        for (int k = 1; k < times.size(); k++) {
            warmBest = Math.min(warmBest, times.get(k).asDouble());
        }
        r.put("cells", cells);
        r.put("plan_seconds_cold", times.get(0).asDouble());
        r.put("plan_seconds_warm_best", repeat > 1 ? warmBest : times.get(0).asDouble());
        r.put("plan_cpu_seconds_cold", cpuTimes.get(0).asDouble());
        r.put("load1", LoaderBenchmark.loadAverage());
        r.put("plan_bytes", plan.length);
        // the state the enumerator checkpoints before any split is handed out
        byte[] state = new AnnDataEnumStateSerializer().serialize(new AnnDataEnumState(plan, 0, 0, List.of()));
        r.put("enum_state_bytes", state.length);
        return r;
    }

    private static List<String> stores(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".h5ad")
                            || p.getFileName().toString().endsWith(".zarr"))
                    .sorted().map(Path::toString).collect(java.util.stream.Collectors.toList());
        }
    }
}
