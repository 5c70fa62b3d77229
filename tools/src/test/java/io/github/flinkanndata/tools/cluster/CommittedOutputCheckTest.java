package io.github.flinkanndata.tools.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check accepts exactly the outputs that hold every (epoch, index) once with dump's sample,
 * and reads committed part files only. Inputs are written by hand, so each case fails if the check
 * misses the defect it plants.
 */
class CommittedOutputCheckTest {
    /** A three-sample dump: what {@code anndata-cli dump} prints, one record per line. */
    private static final List<String> DUMP = List.of(
            "{\"_store_idx\":0,\"X\":[1.0,0.0],\"cell_type\":1}",
            "{\"_store_idx\":0,\"X\":[0.0,2.5],\"cell_type\":0}",
            "{\"_store_idx\":1,\"X\":[3.0,1.0],\"cell_type\":null}");

    @TempDir Path tmp;
    private Path out;
    private Path dump;

    @BeforeEach
    void setUp() throws IOException {
        out = Files.createDirectories(tmp.resolve("output"));
        dump = Files.write(tmp.resolve("dump.jsonl"), DUMP);
    }

    private static String line(int epoch, int idx) {
        return "{\"_epoch\":" + epoch + ",\"_global_idx\":" + idx + "," + DUMP.get(idx).substring(1);
    }

    private static List<String> allPairs(int epochs) {
        List<String> lines = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            for (int i = 0; i < DUMP.size(); i++) {
                lines.add(line(e, i));
            }
        }
        return lines;
    }

    private void part(String name, List<String> lines) throws IOException {
        Files.write(out.resolve(name), lines);
    }

    private static String report(CommittedOutputCheck check) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        check.report(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void exactOutputSpreadOverPartsPasses() throws IOException {
        List<String> lines = allPairs(2);
        part("samples-a-0.jsonl", lines.subList(0, 4));
        part("samples-b-0.jsonl", lines.subList(4, 6));
        CommittedOutputCheck check = new CommittedOutputCheck();
        assertThat(check.run(out, dump, 2)).as(report(check)).isTrue();
        assertThat(check.lines).isEqualTo(6);
        assertThat(check.perEpoch).containsExactly(3, 3);
        assertThat(check.committedFiles).isEqualTo(2);
    }

    @Test
    void hiddenInProgressFilesAreNotRead() throws IOException {
        part("samples-a-0.jsonl", allPairs(1));
        // what a killed attempt leaves behind: lines written after the last checkpoint
        part(".samples-a-1.jsonl.inprogress.1234", List.of(line(0, 0), line(0, 1)));
        CommittedOutputCheck check = new CommittedOutputCheck();
        assertThat(check.run(out, dump, 1)).as(report(check)).isTrue();
        assertThat(check.hiddenFiles).isEqualTo(1);
        assertThat(check.hiddenLines).isEqualTo(2);
        assertThat(check.lines).isEqualTo(3);
    }

    @Test
    void duplicateFails() throws IOException {
        part("samples-a-0.jsonl", allPairs(1));
        part("samples-b-0.jsonl", List.of(line(0, 1)));
        CommittedOutputCheck check = new CommittedOutputCheck();
        assertThat(check.run(out, dump, 1)).isFalse();
        assertThat(check.duplicates).isEqualTo(1);
        assertThat(report(check)).contains("(0, 1) occurs more than once");
    }

    @Test
    void missingPairFails() throws IOException {
        List<String> lines = allPairs(2);
        lines.remove(line(1, 2));
        part("samples-a-0.jsonl", lines);
        CommittedOutputCheck check = new CommittedOutputCheck();
        assertThat(check.run(out, dump, 2)).isFalse();
        assertThat(check.missing).isEqualTo(1);
        assertThat(report(check)).contains("(1, 2) is missing");
    }

    @Test
    void wholeMissingEpochFails() throws IOException {
        part("samples-a-0.jsonl", allPairs(1));
        CommittedOutputCheck check = new CommittedOutputCheck();
        assertThat(check.run(out, dump, 2)).isFalse();
        assertThat(check.missing).isEqualTo(3);
    }

    @Test
    void sampleDifferentFromDumpFails() throws IOException {
        List<String> lines = allPairs(1);
        lines.set(1, lines.get(1).replace("2.5", "2.25"));
        part("samples-a-0.jsonl", lines);
        CommittedOutputCheck check = new CommittedOutputCheck();
        assertThat(check.run(out, dump, 1)).isFalse();
        assertThat(check.mismatched).isEqualTo(1);
    }

    @Test
    void pairsOutsideTheExpectedSetFail() throws IOException {
        List<String> lines = allPairs(1);
        lines.add("{\"_epoch\":1,\"_global_idx\":0," + DUMP.get(0).substring(1));
        lines.add("{\"_epoch\":0,\"_global_idx\":3," + DUMP.get(0).substring(1));
        lines.add("{\"_global_idx\":0}");
        part("samples-a-0.jsonl", lines);
        CommittedOutputCheck check = new CommittedOutputCheck();
        assertThat(check.run(out, dump, 1)).isFalse();
        assertThat(check.unexpected).isEqualTo(3);
        assertThat(report(check)).contains("(1, 0) is outside the expected set").contains("no integral _epoch");
    }

    @Test
    void emptyDumpIsAnError() throws IOException {
        Files.write(dump, List.of());
        assertThatThrownBy(() -> new CommittedOutputCheck().run(out, dump, 1)).hasMessageContaining("holds no samples");
    }
}
