package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.examples.features.FeaturePipelineJob;
import io.github.flinkanndata.examples.training.ContinuousTrainingJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that run a job on an embedded Flink cluster ({@code train}, {@code stream},
 * {@code features}, also through the jobs' own main classes) leave nothing in the temp folder:
 * no {@code flink-rpc-akka*.jar}, no {@code minicluster_*}, no {@code flink-web-upload}, nothing
 * of ours. Each run is a child JVM started like {@code java -jar anndata-cli.jar} (the main
 * method, which ends with {@code System.exit}) with {@code java.io.tmpdir} set to a fresh folder:
 * Flink reads that property once, as defaults of its option classes ({@code io.tmp.dirs}, {@code
 * web.tmpdir}), and so does {@code Files.createTempFile}, so it cannot be changed in this JVM.
 * Outputs the commands are asked for go elsewhere.
 */
@Timeout(300)
class TempFolderLeftoversITCase {
    @TempDir Path work;

    @Test
    void train() throws Exception {
        // the README's run command, bounded: without --snapshot-dir no snapshot is written
        Run r = run(AnnDataCli.class, "train", "--epochs", "1");
        assertThat(r.out).contains("epoch=1 complete", "model snapshots: none");
        assertNothingLeft(r);
    }

    @Test
    void trainThroughItsMainClass() throws Exception {
        Run r = run(ContinuousTrainingJob.class, "--epochs", "1", "--snapshot-dir", work.resolve("snapshots").toString());
        assertThat(r.out).contains("epoch=1 complete");
        assertNothingLeft(r);
    }

    /** Without --output the lines pass through a file in the temp folder, which must go too. */
    @Test
    void stream() throws Exception {
        Run r = run(AnnDataCli.class, "stream", CollectionCommandsTest.store("mixed_m1.h5ad"), "--parallelism", "2");
        assertThat(r.out.strip().split("\n")).hasSizeGreaterThan(1).allMatch(l -> l.startsWith("{\"_epoch\":0"));
        assertNothingLeft(r);
    }

    @Test
    void features() throws Exception {
        Run r = run(AnnDataCli.class, "features", CollectionCommandsTest.store("mixed_m1.h5ad"), "--layer", "counts",
                "--parallelism", "2", "--output-dir", work.resolve("features").toString());
        assertThat(r.out).startsWith("features: ");
        assertThat(work.resolve("features").resolve("gene_stats.jsonl")).isNotEmptyFile();
        assertNothingLeft(r);
    }

    @Test
    void featuresThroughItsMainClass() throws Exception {
        Run r = run(FeaturePipelineJob.class, CollectionCommandsTest.store("mixed_m1.h5ad"), "--layer", "counts",
                "--parallelism", "1", "--output-dir", work.resolve("features").toString());
        assertThat(r.out).startsWith("features: ");
        assertNothingLeft(r);
    }

    /** Unbounded training ends when the user stops it (Ctrl-C or a kill: SIGINT or SIGTERM). */
    @Test
    void unboundedTrainStoppedWithSigterm() throws Exception {
        Path tmp = Files.createDirectory(work.resolve("tmp"));
        Path out = work.resolve("stdout.txt");
        Process p = child(tmp, out, AnnDataCli.class, "train", "--epochs", "-1", "--report-every", "200",
                "--checkpoint-interval-ms", "200", "--snapshot-dir", work.resolve("snapshots").toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(out).contains("epoch=2 complete")) {
                assertThat(p.isAlive()).as("train ended early: %s", Files.readString(out)).isTrue();
                assertThat(System.nanoTime()).as("no epoch 2 within 120 s: %s", Files.readString(out)).isLessThan(deadline);
                Thread.sleep(100);
            }
            p.destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("train stops on SIGTERM").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(leftovers(tmp)).as("left in the temp folder by a stopped unbounded train").isEmpty();
    }

    private record Run(Path tmp, int code, String out) {}

    private Run run(Class<?> main, String... args) throws Exception {
        Path tmp = Files.createDirectory(work.resolve("tmp"));
        Path out = work.resolve("stdout.txt");
        Process p = child(tmp, out, main, args);
        try {
            assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("%s %s finishes", main.getSimpleName(), List.of(args)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        Run r = new Run(tmp, p.exitValue(), Files.readString(out));
        assertThat(r.code).as("exit code; output:%n%s", r.out).isZero();
        return r;
    }

    /** {@code java -Djava.io.tmpdir=TMP -cp <this classpath> MAIN ARGS}, both streams to {@code out}. */
    private static Process child(Path tmp, Path out, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private static void assertNothingLeft(Run r) throws IOException {
        assertThat(leftovers(r.tmp)).as("left in the temp folder").isEmpty();
    }

    /** Everything under {@code dir}, with sizes, for the failure message. */
    private static List<String> leftovers(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir)).sorted().map(p -> {
                try {
                    return dir.relativize(p) + (Files.isDirectory(p) ? "/" : " (" + Files.size(p) + " bytes)");
                } catch (IOException e) {
                    return dir.relativize(p) + " (gone)";
                }
            }).collect(Collectors.toList());
        }
    }
}
