package io.github.flinkanndata.examples.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak (issue 17, item 4): the training example, unbounded and block-shuffled, with a failure
 * injected every 30 s (5 minutes in CI; {@code -Dsoak.minutes=60} for the long run, a failure every
 * 3 minutes), run by {@link SoakRun} in a JVM of its own (fixed, pre-touched 384 MiB heap; a temp
 * folder of its own) and sampled every 30 s. Fails when any series grows after warm-up
 * ({@link SoakVerdict}), when no failure was injected, or when the job ends.
 *
 * <p>The series and the verdict go to {@code examples/target/soak/} ({@code soak.csv}, {@code
 * soak-summary.txt}) and to the test's output. {@code scripts/soak.sh MINUTES} runs it.
 */
class SoakITCase {
    @TempDir Path tmp;

    @Test
    void everySeriesIsFlatUnderFailures() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "5"));
        long seconds = Math.round(minutes * 60);
        Path out = Paths.get(System.getProperty("soak.out", "target/soak")).toAbsolutePath();
        Path childTmp = Files.createDirectories(tmp.resolve("tmp"));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms384m", "-Xmx384m", "-XX:+AlwaysPreTouch", "-XX:+UseParallelGC",
                "-Djava.io.tmpdir=" + childTmp,
                "-cp", classpath,
                SoakRun.class.getName(),
                "--seconds", Long.toString(seconds),
                "--sample-every", System.getProperty("soak.sampleSeconds", "30"),
                "--fail-every", System.getProperty("soak.failSeconds", "0"),
                "--out", out.toString()));
        Path log = Files.createDirectories(out).resolve("soak-run.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(seconds + 180, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(ended).as("the soak run ended in time").isTrue();
        assertThat(p.exitValue()).as("soak run exit code (0: flat, 1: not flat, 2: failed); output in %s", log)
                .isZero();
        String summary = Files.readString(out.resolve("soak-summary.txt"), StandardCharsets.UTF_8);
        assertThat(summary).contains("verdict: flat");
        try (var files = Files.list(childTmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("left in the soak's temp folder" + File.separator)
                    .isEmpty();
        }
    }
}
