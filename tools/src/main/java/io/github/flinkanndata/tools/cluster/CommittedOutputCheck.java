package io.github.flinkanndata.tools.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks the committed output of {@link ClusterExactlyOnceJob}: every (epoch, global index) of
 * {@code [0, epochs) x [0, n)} occurs exactly once, and each line carries the sample that {@code
 * anndata-cli dump} prints for its index. The expected set comes from the dump file ({@code n} =
 * its line count), which reads the collection directly, not through the source.
 *
 * <p>Only committed part files count: FileSink keeps in-progress and pending files hidden (names
 * starting with a dot), and those are reported but never read.
 *
 * <pre>
 * java -cp anndata-cli.jar io.github.flinkanndata.tools.cluster.CommittedOutputCheck \
 *     OUTPUT_DIR DUMP.jsonl EPOCHS
 * </pre>
 *
 * Prints the figures; exit code 0 when the output is exact, 1 when not, 2 on bad arguments.
 */
public final class CommittedOutputCheck {
    /** Problems listed in full up to this many, then only counted. */
    private static final int SHOWN = 10;

    private final ObjectMapper json = new ObjectMapper();
    private final List<String> problems = new ArrayList<>();
    private int problemCount;

    // figures, printed by report()
    int committedFiles;
    int hiddenFiles;
    /** Lines in hidden files: written by an attempt after its last completed checkpoint. */
    long hiddenLines;
    long lines;
    long[] perEpoch;
    long duplicates;
    long missing;
    long unexpected;
    long mismatched;

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: CommittedOutputCheck OUTPUT_DIR DUMP.jsonl EPOCHS");
            System.exit(2);
        }
        CommittedOutputCheck check = new CommittedOutputCheck();
        boolean ok = check.run(Paths.get(args[0]), Paths.get(args[1]), Integer.parseInt(args[2]));
        check.report(System.out);
        System.exit(ok ? 0 : 1);
    }

    /** Reads the output and the dump; true when every expected pair occurs once with its sample. */
    boolean run(Path outputDir, Path dump, int epochs) throws IOException {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be > 0, was " + epochs);
        }
        if (!Files.isDirectory(outputDir)) {
            throw new IOException("no output folder " + outputDir);
        }
        List<JsonNode> expected = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(dump, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                expected.add(json.readTree(line));
            }
        }
        if (expected.isEmpty()) {
            throw new IOException(dump + " holds no samples");
        }
        int n = expected.size();
        perEpoch = new long[epochs];
        // occurrences per (epoch, index); an int per pair keeps this small for test-sized runs
        int[] seen = new int[Math.multiplyExact(epochs, n)];
        Map<String, Long> unexpectedPairs = new HashMap<>();

        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(outputDir)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        for (Path f : files) {
            if (f.getFileName().toString().startsWith(".")) {
                hiddenFiles++; // in-progress or pending: not committed, must not count
                try (Stream<String> hidden = Files.lines(f, StandardCharsets.UTF_8)) {
                    hiddenLines += hidden.count();
                }
                continue;
            }
            committedFiles++;
            try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                long lineNo = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lineNo++;
                    lines++;
                    JsonNode node = json.readTree(line);
                    if (!(node instanceof ObjectNode) || !node.path("_epoch").isIntegralNumber()
                            || !node.path("_global_idx").isIntegralNumber()) {
                        problem(f.getFileName() + ":" + lineNo + " has no integral _epoch and _global_idx");
                        unexpected++;
                        continue;
                    }
                    long epoch = node.get("_epoch").asLong();
                    long idx = node.get("_global_idx").asLong();
                    if (epoch < 0 || epoch >= epochs || idx < 0 || idx >= n) {
                        unexpected++;
                        unexpectedPairs.merge("(" + epoch + ", " + idx + ")", 1L, Long::sum);
                        continue;
                    }
                    perEpoch[(int) epoch]++;
                    int slot = (int) (epoch * n + idx);
                    if (++seen[slot] == 2) {
                        problem("(" + epoch + ", " + idx + ") occurs more than once, again in " + f.getFileName() + ":" + lineNo);
                    }
                    ObjectNode sample = ((ObjectNode) node).deepCopy();
                    sample.remove("_epoch");
                    sample.remove("_global_idx");
                    if (!sample.equals(expected.get((int) idx))) {
                        mismatched++;
                        problem("(" + epoch + ", " + idx + ") in " + f.getFileName() + ":" + lineNo + " differs from dump's sample " + idx);
                    }
                }
            }
        }
        unexpectedPairs.forEach((pair, count) -> problem(pair + " is outside the expected set (" + count + "x)"));
        for (int e = 0; e < epochs; e++) {
            for (int i = 0; i < n; i++) {
                int c = seen[e * n + i];
                if (c == 0) {
                    missing++;
                    problem("(" + e + ", " + i + ") is missing");
                } else if (c > 1) {
                    duplicates += c - 1;
                }
            }
        }
        return problemCount == 0;
    }

    private void problem(String message) {
        if (problemCount++ < SHOWN) {
            problems.add(message);
        }
    }

    /** One line of figures, then the first problems. */
    void report(PrintStream out) {
        StringBuilder epochs = new StringBuilder();
        for (int e = 0; e < perEpoch.length; e++) {
            epochs.append(e == 0 ? "" : ",").append(perEpoch[e]);
        }
        out.printf(
                "committed files %d, lines %d, per epoch [%s], duplicates %d, missing %d, unexpected %d, samples differing from dump %d;"
                        + " not committed (hidden files, not counted): %d files, %d lines%n",
                committedFiles, lines, epochs, duplicates, missing, unexpected, mismatched, hiddenFiles, hiddenLines);
        problems.forEach(p -> out.println("  " + p));
        if (problemCount > problems.size()) {
            out.println("  ... and " + (problemCount - problems.size()) + " more");
        }
    }
}
