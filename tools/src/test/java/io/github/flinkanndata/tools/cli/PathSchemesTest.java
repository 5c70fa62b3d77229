package io.github.flinkanndata.tools.cli;

import static io.github.flinkanndata.tools.cli.CollectionCommandsTest.store;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code file://} paths work in every subcommand, with the output of the plain path; a scheme
 * Flink has no file system for fails with one line naming the scheme and the plugin to add.
 */
@Timeout(300)
class PathSchemesTest {
    @TempDir Path tmp;

    private static String uri(String name) {
        return Path.of(store(name)).toUri().toString(); // file:///...
    }

    @Test
    void collectionCommandsReadFileUris() {
        String[][] commands = {
            {"dump", "--obs-keys", "cell_type"},
            {"summary", "--obs-keys", "cell_type", "--join", "outer"},
            {"weights", "--keys", "cell_type"},
        };
        for (String[] c : commands) {
            CollectionCommandsTest.Result plain = run(c, store("mixed_m1.h5ad"), store("mixed_m2_v2.zarr"));
            CollectionCommandsTest.Result uris = run(c, uri("mixed_m1.h5ad"), "file:" + store("mixed_m2_v2.zarr"));
            assertThat(plain.code).as(plain.err).isZero();
            assertThat(uris.code).as("%s: %s", c[0], uris.err).isZero();
            assertThat(uris.out).as(c[0]).isEqualTo(plain.out);
        }
    }

    @Test
    void inspectReadsAFileUri() throws Exception {
        ObjectMapper json = new ObjectMapper();
        CollectionCommandsTest.Result r = CollectionCommandsTest.run("inspect", "--json", uri("mixed_m2_v2.zarr"));
        assertThat(r.code).as(r.err).isZero();
        ObjectNode viaUri = (ObjectNode) json.readTree(r.out);
        ObjectNode plain = (ObjectNode) json.readTree(CollectionCommandsTest.run("inspect", "--json", store("mixed_m2_v2.zarr")).out);
        viaUri.remove("path");
        plain.remove("path");
        assertThat(viaUri).isEqualTo(plain);
    }

    @Test
    void jobsReadFileUris() {
        CollectionCommandsTest.Result s = CollectionCommandsTest.run("stream", uri("mixed_m1.h5ad"), "--parallelism", "1");
        assertThat(s.code).as(s.err).isZero();
        assertThat(s.out).startsWith("{\"_epoch\":0");
        CollectionCommandsTest.Result t = CollectionCommandsTest.run("train", "--paths", uri("mixed_m1.h5ad"),
                "--label-key", "cell_type", "--epochs", "1", "--checkpoint-interval-ms", "0");
        assertThat(t.code).as(t.err).isZero();
        assertThat(t.out).contains("epoch=1 complete");
        CollectionCommandsTest.Result f = CollectionCommandsTest.run("features", uri("mixed_m1.h5ad"), "--layer", "counts",
                "--parallelism", "1", "--output-dir", tmp.resolve("features").toString());
        assertThat(f.code).as(f.err).isZero();
        assertThat(f.out).startsWith("features: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"inspect", "dump", "summary"})
    void aSchemeWithoutAFileSystemNamesThePlugin(String command) {
        assertOneLine(CollectionCommandsTest.run(command, "s3://bucket/a.h5ad"),
                "s3://bucket/a.h5ad", "no Flink file system for scheme 's3'", "flink-s3-fs-hadoop", "flink-s3-fs-presto",
                "plugins");
        assertOneLine(CollectionCommandsTest.run(command, "gs://bucket/a.zarr"), "scheme 'gs'", "flink-gs-fs-hadoop");
        assertOneLine(CollectionCommandsTest.run(command, "foo://bucket/a.zarr"), "scheme 'foo'", "plugins");
    }

    @Test
    void weightsWithAnUnknownScheme() {
        assertOneLine(CollectionCommandsTest.run("weights", "abfss://c@a.dfs.core.windows.net/a.h5ad", "--keys", "x"),
                "scheme 'abfss'", "flink-azure-fs-hadoop");
    }

    private static CollectionCommandsTest.Result run(String[] command, String... paths) {
        String[] args = new String[command.length + paths.length];
        args[0] = command[0];
        System.arraycopy(paths, 0, args, 1, paths.length);
        System.arraycopy(command, 1, args, 1 + paths.length, command.length - 1);
        return CollectionCommandsTest.run(args);
    }

    private static void assertOneLine(CollectionCommandsTest.Result r, String... parts) {
        assertThat(r.code).as("exit code; stderr: %s", r.err).isNotZero();
        assertThat(r.err.strip().split("\n")).as("stderr: %s", r.err).hasSize(1);
        assertThat(r.err).startsWith("error: ").contains(parts).doesNotContain("local copy");
    }
}
