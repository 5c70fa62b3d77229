package io.github.flinkanndata.tools.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.tools.cli.AnnDataCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The real-cluster job on an embedded cluster: its committed FileSink output passes {@link
 * CommittedOutputCheck} against {@code dump}, so the script's check and the job agree on the
 * format. (The kill and the restore are the script's business; see {@code scripts/cluster-test.sh}.)
 */
@Timeout(180)
class ClusterExactlyOnceJobITCase {
    @TempDir Path tmp;

    /** The mixed h5ad / zarr v2 / zarr v3 reference stores, as the other CLI tests use them. */
    private static List<String> stores() {
        String dir = System.getProperty("anndata.reference.dir");
        Path base = dir != null && !dir.isBlank() ? Paths.get(dir)
                : Paths.get("..", "flink-connector-anndata", "src", "test", "resources", "reference");
        List<String> out = new ArrayList<>();
        for (String name : List.of("mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr")) {
            Path p = base.resolve("stores").resolve(name).toAbsolutePath().normalize();
            assertThat(Files.exists(p)).as("reference store %s", p).isTrue();
            out.add(p.toString());
        }
        return out;
    }

    private static ClusterExactlyOnceJob job(List<String> args) {
        ClusterExactlyOnceJob job = new ClusterExactlyOnceJob();
        new CommandLine(job).parseArgs(args.toArray(new String[0]));
        return job;
    }

    @Test
    void committedOutputHoldsEveryEpochAndIndexOnceAsDumpPrintsIt() throws Exception {
        Path output = tmp.resolve("output");
        List<String> args = new ArrayList<>(List.of("--output", output.toString(), "--epochs", "2",
                "--parallelism", "2", "--checkpoint-interval-ms", "100", "--join", "outer"));
        args.addAll(stores());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        job(args).build(env);
        env.execute("cluster job on an embedded cluster");

        List<String> dumpArgs = new ArrayList<>(List.of("dump"));
        dumpArgs.addAll(stores());
        dumpArgs.addAll(List.of("--join", "outer"));
        StringWriter dumped = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AnnDataCli.run(dumpArgs.toArray(new String[0]), new PrintWriter(dumped), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        Path dump = Files.writeString(tmp.resolve("dump.jsonl"), dumped.toString(), StandardCharsets.UTF_8);

        CommittedOutputCheck check = new CommittedOutputCheck();
        boolean ok = check.run(output, dump, 2);
        java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
        check.report(new java.io.PrintStream(report, true, StandardCharsets.UTF_8));
        assertThat(ok).as(report.toString(StandardCharsets.UTF_8)).isTrue();
        assertThat(check.perEpoch[0]).isPositive().isEqualTo(check.perEpoch[1]);
        assertThat(check.hiddenFiles).isZero(); // a finished job leaves nothing uncommitted
    }

    @Test
    void weightedSamplingIsRejected() {
        List<String> args = new ArrayList<>(List.of("--output", tmp.toString(), "--sampling", "weighted"));
        args.addAll(stores());
        assertThatThrownBy(() -> job(args).build(StreamExecutionEnvironment.createLocalEnvironment(1)))
                .hasMessageContaining("--sampling must be sequential or block_shuffled");
    }
}
