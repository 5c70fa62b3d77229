package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Takes a savepoint of a {@link SavepointCase}'s job in the middle of its epochs, and restores a
 * committed one into a fresh job and checks the continuation: the savepointed run's committed
 * output plus the restored job's is every {@code (epoch, global index)} exactly once (sequential,
 * block-shuffled), or exactly the failure-free draws (weighted).
 */
final class CommittedSavepoints {
    /** Stop once this many records are committed: inside epoch 0 or 1 of 2 (40 samples each). */
    private static final int STOP_AFTER = 24;

    private CommittedSavepoints() {}

    /** Runs the case's job, stops it with a savepoint and writes {@code _metadata} and the outcome into {@code dir}. */
    static SavepointCase take(ClusterClient<?> client, SavepointCase spec, Path dir, Path scratch) throws Exception {
        String runName = "take-" + spec.name;
        CommittedCollector.Run run = CommittedCollector.start(runName);
        PacedMap.reset(10); // slow enough to stop in the middle of the epochs
        JobID job = client.submitJob(spec.jobGraph(runName, null)).get();
        ChaosDriver.waitUntil(() -> run.committedCount() >= STOP_AFTER, "first commits of " + spec.name);
        PacedMap.pauseMillis = 200; // a crawl: the job cannot finish while a slow machine takes the savepoint
        String location = client.stopWithSavepoint(job, false, scratch.toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        assertThat(client.requestJobResult(job).get().isSuccess()).as("stopped job finished").isTrue();
        PacedMap.pauseMillis = 0;

        Path savepoint = Path.of(URI.create(location.startsWith("file:") ? location : "file:" + location));
        Files.createDirectories(dir);
        List<Path> files;
        try (Stream<Path> list = Files.list(savepoint)) {
            files = list.sorted().collect(Collectors.toList());
        }
        assertThat(files).as("files of %s", savepoint).anyMatch(p -> p.endsWith(SavepointCase.METADATA));
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            // state written to files is referenced relative to the savepoint; inlined state would carry
            // the absolute path of the file it was not written to
            assertThat(text).as("%s names no machine path", file.getFileName())
                    .doesNotContain(Path.of("").toAbsolutePath().toString()).doesNotContain(scratch.toString());
            Files.write(dir.resolve(file.getFileName()), bytes);
        }

        List<Long> committed = run.committed();
        long total = spec.epochs() * spec.samplesPerEpoch();
        assertThat((long) committed.size()).as("stopped in the middle of the epochs").isLessThan(total);
        List<Long> draws = spec.sampling() == SamplingMode.WEIGHTED ? failureFreeDraws(spec) : null;
        SavepointCase outcome = spec.withOutcome(committed, run.publishedChunks(), draws);
        outcome.write(dir);
        return outcome;
    }

    /** Restores the savepoint in {@code dir} into a fresh job and checks the continuation. */
    static void restoreAndCheck(ClusterClient<?> client, Path dir) throws Exception {
        SavepointCase c = SavepointCase.read(dir);
        String runName = "restore-" + dir;
        CommittedCollector.Run run = CommittedCollector.start(runName);
        run.assumePublished(c.publishedChunks);
        PacedMap.reset(0);
        JobID job = client.submitJob(c.jobGraph(runName, dir.toAbsolutePath().toString())).get();
        JobResult result = client.requestJobResult(job).get(120, TimeUnit.SECONDS);
        assertThat(result.isSuccess()).as("restored job of %s: %s", dir, result.getSerializedThrowable()).isTrue();

        assertThat(c.committed).as("%s: the savepointed run had committed output", dir).isNotEmpty();
        assertThat(run.committed()).as("%s: the restored job emitted the rest", dir).isNotEmpty();
        List<Long> all = new ArrayList<>(c.committed);
        all.addAll(run.committed());
        if (c.sampling() != SamplingMode.WEIGHTED) {
            ItStores.assertExactlyOnce(all, c.epochs(), c.samplesPerEpoch());
            return;
        }
        Map<Integer, Long> perEpoch = new TreeMap<>();
        all.forEach(k -> perEpoch.merge(ItStores.epochOf(k), 1L, Long::sum));
        Map<Integer, Long> expected = new TreeMap<>();
        for (int e = 0; e < c.epochs(); e++) {
            expected.put(e, c.samplesPerEpoch());
        }
        assertThat(perEpoch).as("%s: draws per epoch", dir).isEqualTo(expected);
        assertThat(c.expectedDraws).as("%s: expected-draws", dir).isNotNull();
        assertThat(sorted(all)).as("%s: the draws of a failure-free run", dir).isEqualTo(sorted(c.expectedDraws));
    }

    private static List<Long> failureFreeDraws(SavepointCase spec) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<Long> keys = new ArrayList<>();
        try (CloseableIterator<CellRecord> it = env.fromSource(spec.source().build(), WatermarkStrategy.noWatermarks(),
                "draws").executeAndCollect()) {
            it.forEachRemaining(r -> keys.add(ItStores.key(r)));
        }
        return keys;
    }

    private static List<Long> sorted(List<Long> keys) {
        List<Long> copy = new ArrayList<>(keys);
        Collections.sort(copy);
        return copy;
    }

    /** The committed savepoint folders, {@code <version>/<case>}, in order. */
    static List<Path> committed() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(SavepointCase.ROOT, 3)) {
            walk.filter(p -> p.getFileName().toString().equals(SavepointCase.PROPERTIES)).map(Path::getParent)
                    .sorted().forEach(out::add);
        }
        return out;
    }
}
