package io.github.flinkanndata.format.fuzz;

import io.github.flinkanndata.format.fuzz.SeedCorpus.Seed;
import io.github.flinkanndata.format.fuzz.SeedCorpus.Shape;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import javax.annotation.Nullable;

/**
 * The mutation loop. Each case is derived from its own 64-bit case seed (drawn from the run seed),
 * so any case can be replayed alone from the number printed for it: the case seed picks a seed
 * store, a target (the h5ad or zip bytes, or one metadata or chunk file of a directory store) and
 * the mutations, the mutated input is written, read with {@link StoreWalker} under the {@link
 * Oracle}, and the store is put back.
 *
 * <p>Findings are grouped by {@link Verdict#signature()}; the first input of each group is saved
 * (mutated bytes plus a {@code case.properties} naming the seed store and file) in the layout that
 * {@code src/test/resources/fuzz/regressions} uses, so a finding becomes a regression seed by
 * copying its directory.
 */
final class FuzzCampaign implements AutoCloseable {
    /** Cases stop after this many hangs: each leaves a worker thread running. */
    static final int MAX_HANGS = 3;

    /** Allocation allowed per case: a fixed allowance plus a multiple of the input's size. */
    static final long ALLOCATION_BASE = 64L << 20;
    static final int ALLOCATION_FACTOR = 16;

    enum Target { H5AD, ZIP, METADATA, CHUNK }

    private final List<Seed> seeds;
    private final Path caseDir;
    private final Oracle oracle;

    /** Counts, and the first example of each finding signature. */
    static final class Result {
        long cases;
        long hangs;
        final Map<Target, long[]> byTarget = new EnumMap<>(Target.class); // {cases, clean, rejected}
        final Map<String, String> findings = new LinkedHashMap<>();
        /** The case seed of the first example of each finding signature: what replays it. */
        final Map<String, Long> firstCase = new LinkedHashMap<>();
        /** Why inputs were rejected: the problem text (store path dropped) and its count. */
        final Map<String, long[]> reasons = new java.util.HashMap<>();
        long findingCases;
        long maxAllocated;
        long maxCpuNanos;

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append(cases).append(" cases, ").append(findingCases).append(" finding cases in ")
                    .append(findings.size()).append(" signatures; max allocation ")
                    .append(maxAllocated >> 20).append(" MiB, max cpu ")
                    .append(maxCpuNanos / 1_000_000).append(" ms\n");
            byTarget.forEach((t, c) -> sb.append("  ").append(t).append(": ").append(c[0])
                    .append(" cases, ").append(c[1]).append(" clean, ").append(c[2])
                    .append(" rejected\n"));
            reasons.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(25)
                    .forEach(e -> sb.append("  rejected ").append(e.getValue()[0]).append("x: ")
                            .append(e.getKey()).append('\n'));
            findings.forEach((sig, example) -> sb.append("  FINDING ").append(sig).append("\n    ")
                    .append(example).append("\n    replay: ").append(replayCommand(firstCase.get(sig)))
                    .append('\n'));
            return sb.toString();
        }
    }

    /** The command that replays one case (a case seed stands for its input, whatever the run). */
    static String replayCommand(long caseSeed) {
        return "mvn -B -ntp -pl flink-connector-anndata test -Dtest='ReaderFuzzTest#fuzz'"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.case=" + caseSeed;
    }

    FuzzCampaign(List<Seed> seeds, Path caseDir, Oracle oracle) {
        this.seeds = seeds;
        this.caseDir = caseDir;
        this.oracle = oracle;
    }

    /**
     * Runs cases drawn from {@code runSeed} until {@code maxCases} or {@code maxMillis}, whichever
     * comes first, saving the first input of each finding under {@code findingsDir} (if not null).
     */
    Result run(long runSeed, long maxCases, long maxMillis, @Nullable Path findingsDir)
            throws IOException, InterruptedException {
        Random run = new Random(runSeed);
        Result r = new Result();
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        while (r.cases < maxCases && System.nanoTime() < deadline && r.hangs < MAX_HANGS) {
            long caseSeed = run.nextLong();
            Mutation m = mutation(caseSeed);
            Verdict v = apply(m);
            r.cases++;
            long[] counts = r.byTarget.computeIfAbsent(m.target, t -> new long[3]);
            counts[0]++;
            if (v.kind == Verdict.Kind.CLEAN) {
                counts[1]++;
            } else if (v.kind == Verdict.Kind.REJECTED) {
                counts[2]++;
                r.reasons.computeIfAbsent(m.target + " " + reason(v.detail), k -> new long[1])[0]++;
            }
            r.maxAllocated = Math.max(r.maxAllocated, v.allocatedBytes);
            r.maxCpuNanos = Math.max(r.maxCpuNanos, v.cpuNanos);
            if (v.kind == Verdict.Kind.HUNG) {
                r.hangs++;
            }
            if (v.isFinding()) {
                r.findingCases++;
                String sig = v.signature();
                if (!r.findings.containsKey(sig)) {
                    r.findings.put(sig, "case " + caseSeed + " " + m + ": " + v);
                    r.firstCase.put(sig, caseSeed);
                    if (findingsDir != null) {
                        save(findingsDir.resolve("finding-" + r.findings.size()), m, caseSeed, v);
                    }
                }
            }
        }
        return r;
    }

    /** A rejection message without the store path and numbers, to group similar reasons. */
    private static String reason(String message) {
        String m = message == null ? "" : message.replaceFirst("^store '[^']*'", "");
        m = m.replaceAll("[0-9]+", "#");
        return m.length() > 110 ? m.substring(0, 110) : m;
    }

    /**
     * One case: which store, and the new content of one or more of its files ({@code ""} names the
     * store itself when it is a single file; a null content deletes the file).
     */
    static final class Mutation {
        final Seed seed;
        final Target target;
        final Map<String, byte[]> files;

        Mutation(Seed seed, Target target, Map<String, byte[]> files) {
            this.seed = seed;
            this.target = target;
            this.files = files;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(target + " " + seed.name);
            files.forEach((f, b) -> sb.append(f.isEmpty() ? "" : " " + f).append(b == null ? " (deleted)" : ""));
            return sb.toString();
        }
    }

    /** The mutation a case seed stands for. */
    Mutation mutation(long caseSeed) throws IOException {
        Random rnd = new Random(caseSeed);
        int roll = rnd.nextInt(10);
        Shape shape = roll < 3 ? Shape.H5AD : roll < 4 ? Shape.ZIP : Shape.DIRECTORY;
        List<Seed> ofShape = seeds.stream().filter(s -> s.shape == shape).collect(Collectors.toList());
        Seed seed = ofShape.get(rnd.nextInt(ofShape.size()));
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (shape != Shape.DIRECTORY) {
            byte[] original = Files.readAllBytes(seed.pristine);
            // HDF5 records its end of file: mostly keep the length so mutants pass that first check
            boolean keepLength = shape == Shape.H5AD && rnd.nextInt(4) != 0;
            files.put("", keepLength ? ByteMutator.mutateInPlace(original, rnd) : ByteMutator.mutate(original, rnd));
            return new Mutation(seed, shape == Shape.H5AD ? Target.H5AD : Target.ZIP, files);
        }
        boolean meta = rnd.nextBoolean() || seed.chunkFiles.isEmpty();
        if (!meta) {
            String file = seed.chunkFiles.get(rnd.nextInt(seed.chunkFiles.size()));
            byte[] original = Files.readAllBytes(seed.pristine.resolve(file));
            files.put(file, rnd.nextInt(40) == 0 ? null : ByteMutator.mutate(original, rnd));
            return new Mutation(seed, Target.CHUNK, files);
        }
        String file = seed.metadataFiles.get(rnd.nextInt(seed.metadataFiles.size()));
        if (rnd.nextInt(4) == 0) {
            file = ConsolidatedMetadata.fileOf(seed.pristine); // the whole consolidated document
        }
        byte[] original = Files.readAllBytes(seed.pristine.resolve(file));
        byte[] mutated = rnd.nextInt(40) == 0 ? null : JsonMutator.mutate(original, rnd);
        files.put(file, mutated);
        // the readers use consolidated metadata when present: mirror the change there too
        ConsolidatedMetadata.mirror(seed.pristine, file, mutated, files);
        return new Mutation(seed, Target.METADATA, files);
    }

    /** Writes the mutated input, judges reading it, and restores the store. */
    Verdict apply(Mutation m) throws IOException, InterruptedException {
        if (m.seed.shape != Shape.DIRECTORY) {
            byte[] bytes = m.files.get("");
            Path input = caseDir.resolve(m.seed.pristine.getFileName());
            Files.createDirectories(caseDir);
            Files.write(input, bytes);
            long bound = ALLOCATION_BASE + ALLOCATION_FACTOR * (long) Math.max(m.seed.bytes, bytes.length);
            return oracle.judge(() -> read(m.seed, input), bound);
        }
        Map<Path, byte[]> originals = new LinkedHashMap<>();
        long grown = 0;
        try {
            for (Map.Entry<String, byte[]> e : m.files.entrySet()) {
                Path file = m.seed.pristine.resolve(e.getKey());
                byte[] original = Files.readAllBytes(file);
                originals.put(file, original);
                if (e.getValue() == null) {
                    Files.delete(file);
                } else {
                    Files.write(file, e.getValue());
                    grown += Math.max(0, e.getValue().length - original.length);
                }
            }
            long bound = ALLOCATION_BASE + ALLOCATION_FACTOR * (m.seed.bytes + grown);
            return oracle.judge(() -> read(m.seed, m.seed.pristine), bound);
        } finally {
            for (Map.Entry<Path, byte[]> e : originals.entrySet()) {
                Files.write(e.getKey(), e.getValue());
            }
        }
    }

    /** Reads an input as its seed is read: as AnnData, or as a bare tree. */
    static void read(Seed seed, Path input) throws Exception {
        if (seed.anndata) {
            StoreWalker.readEverything(input);
        } else {
            StoreWalker.walkTree(input);
        }
    }

    /** Replays a saved case (see {@link #save}); {@code dir} holds its properties and bytes. */
    Verdict replay(Path dir) throws IOException, InterruptedException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("case.properties"), StandardCharsets.UTF_8)) {
            p.load(in);
        }
        String store = p.getProperty("store");
        Seed seed = seeds.stream().filter(s -> s.name.equals(store)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no seed store " + store));
        Map<String, byte[]> files = new LinkedHashMap<>();
        String[] names = p.getProperty("files").split(",", -1);
        for (int i = 0; i < names.length; i++) {
            Path bytes = dir.resolve("mutated-" + i);
            files.put(names[i], Files.exists(bytes) ? Files.readAllBytes(bytes) : null);
        }
        return apply(new Mutation(seed, Target.valueOf(p.getProperty("target")), files));
    }

    /** Saves a case in the layout {@link #replay} reads. */
    static void save(Path dir, Mutation m, long caseSeed, Verdict v) throws IOException {
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("store", m.seed.name);
        p.setProperty("target", m.target.name());
        p.setProperty("files", String.join(",", m.files.keySet()));
        p.setProperty("case", String.valueOf(caseSeed));
        p.setProperty("verdict", v.signature());
        try (var out = Files.newBufferedWriter(dir.resolve("case.properties"), StandardCharsets.UTF_8)) {
            p.store(out, null);
        }
        int i = 0;
        for (byte[] bytes : m.files.values()) {
            if (bytes != null) {
                Files.write(dir.resolve("mutated-" + i), bytes);
            }
            i++;
        }
        if (v.failure != null) {
            StringWriter trace = new StringWriter();
            v.failure.printStackTrace(new PrintWriter(trace));
            Files.writeString(dir.resolve("trace.txt"), v + "\n" + trace);
        }
    }

    @Override
    public void close() {
        oracle.close();
    }
}
