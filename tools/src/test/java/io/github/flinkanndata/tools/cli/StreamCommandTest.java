package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream} runs the source on an embedded cluster: every (epoch, global index) exactly once,
 * also when a task fails mid-stream, and every sample as {@code dump} prints it.
 */
@Timeout(180)
class StreamCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private static List<String> args(String... extra) {
        List<String> a = new ArrayList<>(List.of("stream",
                CollectionCommandsTest.store("mixed_m1.h5ad"),
                CollectionCommandsTest.store("mixed_m2_v2.zarr"),
                CollectionCommandsTest.store("mixed_m3_v3_sharded.zarr"),
                "--obs-keys", "cell_type", "--join", "outer"));
        a.addAll(List.of(extra));
        return a;
    }

    /** dump's lines keyed by global index. */
    private static Map<Long, JsonNode> dump() throws Exception {
        CollectionCommandsTest.Result r = CollectionCommandsTest.run(
                "dump", CollectionCommandsTest.store("mixed_m1.h5ad"), CollectionCommandsTest.store("mixed_m2_v2.zarr"),
                CollectionCommandsTest.store("mixed_m3_v3_sharded.zarr"), "--obs-keys", "cell_type", "--join", "outer");
        assertThat(r.code).as(r.err).isZero();
        Map<Long, JsonNode> out = new HashMap<>();
        long g = 0;
        for (String line : r.out.strip().split("\n")) {
            out.put(g++, JSON.readTree(line));
        }
        return out;
    }

    private static void assertExactlyOnce(List<String> lines, Map<Long, JsonNode> dump, int epochs) throws Exception {
        Set<String> seen = new HashSet<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            String id = n.get("_epoch").asInt() + ":" + n.get("_global_idx").asLong();
            assertThat(seen.add(id)).as("duplicate %s", id).isTrue();
            com.fasterxml.jackson.databind.node.ObjectNode sample = (com.fasterxml.jackson.databind.node.ObjectNode) n.deepCopy();
            sample.remove("_epoch");
            sample.remove("_global_idx");
            assertThat(sample).as("sample %s", id).isEqualTo(dump.get(n.get("_global_idx").asLong()));
        }
        assertThat(seen).hasSize(epochs * dump.size());
    }

    @Test
    void blockShuffledWithAnInjectedFailureIsExactlyOnce() throws Exception {
        Path out = tmp.resolve("out.jsonl");
        CollectionCommandsTest.Result r = CollectionCommandsTest.run(args("--parallelism", "2",
                "--sampling", "block-shuffled", "--block-size", "4", "--window-blocks", "2", "--epochs", "2",
                "--seed", "5", "--inject-failure-after", "25", "--output", out.toString()).toArray(new String[0]));
        assertThat(r.code).as(r.err).isZero();
        assertExactlyOnce(Files.readAllLines(out), dump(), 2);
        assertThat(Files.exists(tmp.resolve("out.jsonl.staging"))).as("staging cleaned up").isFalse();
    }

    @Test
    void sequentialToStandardOutput() throws Exception {
        CollectionCommandsTest.Result r = CollectionCommandsTest.run(
                args("--parallelism", "1", "--rows-per-split", "5").toArray(new String[0]));
        assertThat(r.code).as(r.err).isZero();
        List<String> lines = List.of(r.out.strip().split("\n"));
        assertExactlyOnce(lines, dump(), 1);
        // one reader, sequential sampling: lamindb's order
        for (int i = 0; i < lines.size(); i++) {
            assertThat(JSON.readTree(lines.get(i)).get("_global_idx").asLong()).isEqualTo(i);
        }
    }

    @Test
    void badSamplingIsAOneLineError() {
        CollectionCommandsTest.Result r = CollectionCommandsTest.run(args("--sampling", "random").toArray(new String[0]));
        assertThat(r.code).isNotZero();
        assertThat(r.err.strip()).startsWith("error: ").contains("--sampling");
    }
}
