package io.github.flinkanndata.tools.cli;

import static io.github.flinkanndata.tools.cli.CollectionCommandsTest.store;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream}, {@code train} and {@code features} report why a run failed as {@code dump}
 * does: one {@code error:} line naming the store, the element and the problem, never Flink's
 * "Job execution failed.". Most problems are found before the job is submitted (the collection
 * is planned on the client); a chunk that is cut short is found only when a task reads it, and
 * then the message comes from the failed job's cause chain.
 */
@Timeout(300)
class JobFailuresTest {
    @TempDir Path tmp;

    private String missing;
    private String junk;
    private String cutH5ad;
    private String cutChunk;

    @BeforeEach
    void brokenStores() throws IOException {
        missing = tmp.resolve("missing.h5ad").toString();
        junk = Files.writeString(tmp.resolve("junk.h5ad"), "not a store").toString();
        byte[] h5ad = Files.readAllBytes(Path.of(store("mixed_m1.h5ad")));
        cutH5ad = Files.write(tmp.resolve("cut.h5ad"), Arrays.copyOf(h5ad, 3000)).toString();
        // a zarr store whose metadata is whole but whose X chunk is cut: planning passes, reading fails
        Path zarr = tmp.resolve("cut_chunk.zarr");
        copyTree(Path.of(store("mixed_m2_v2.zarr")), zarr);
        Path chunk = zarr.resolve("X").resolve("0.0");
        Files.write(chunk, Arrays.copyOf(Files.readAllBytes(chunk), 20));
        cutChunk = zarr.toString();
    }

    // ---- stream ----

    @Test
    void streamMissingStore() {
        assertOneLine(stream(missing), missing, "no such file or directory");
    }

    @Test
    void streamNotAStore() {
        assertOneLine(stream(junk), junk, "neither an HDF5 file");
    }

    @Test
    void streamTruncatedFile() {
        assertOneLine(stream(cutH5ad), cutH5ad, "truncated");
    }

    @Test
    void streamChunkCutShortFailsInTheJob() {
        assertOneLine(stream(store("mixed_m1.h5ad"), cutChunk), cutChunk, "element 'X'", "blosc frame");
    }

    @Test
    void streamUnknownWeightKey() {
        assertOneLine(stream(store("mixed_m1.h5ad"), "--sampling", "weighted", "--weight-keys", "nope"),
                "obs key 'nope'");
    }

    @Test
    void streamUnknownScheme() {
        assertOneLine(stream("foo://bucket/a.h5ad"), "foo://bucket/a.h5ad", "scheme 'foo'", "plugins");
    }

    // ---- train ----

    @Test
    void trainMissingStore() {
        assertOneLine(train(missing), missing, "no such file or directory");
    }

    @Test
    void trainNotAStore() {
        assertOneLine(train(junk), junk, "neither an HDF5 file");
    }

    @Test
    void trainTruncatedFile() {
        assertOneLine(train(cutH5ad), cutH5ad, "truncated");
    }

    @Test
    void trainChunkCutShortFailsInTheJob() {
        assertOneLine(train(store("mixed_m1.h5ad") + "," + cutChunk), cutChunk, "element 'X'", "blosc frame");
    }

    @Test
    void trainUnknownScheme() {
        assertOneLine(train("s3://bucket/a.h5ad"), "s3://bucket/a.h5ad", "scheme 's3'", "flink-s3-fs-hadoop",
                "flink-s3-fs-presto");
    }

    // ---- features ----

    @Test
    void featuresMissingStore() {
        assertOneLine(features(missing), missing, "no such file or directory");
    }

    @Test
    void featuresNotAStore() {
        assertOneLine(features(junk), junk, "neither an HDF5 file");
    }

    @Test
    void featuresTruncatedFile() {
        assertOneLine(features(cutH5ad), cutH5ad, "truncated");
    }

    @Test
    void featuresChunkCutShortFailsInTheJob() {
        assertOneLine(features(store("mixed_m1.h5ad"), cutChunk), cutChunk, "element 'X'", "blosc frame");
    }

    @Test
    void featuresUnknownScheme() {
        assertOneLine(features("foo://bucket/a.h5ad"), "foo://bucket/a.h5ad", "scheme 'foo'", "plugins");
    }

    private CollectionCommandsTest.Result stream(String... args) {
        List<String> a = new ArrayList<>(List.of("stream"));
        a.addAll(List.of(args));
        a.addAll(List.of("--parallelism", "1", "--join", "outer", "--obs-keys", "cell_type"));
        return CollectionCommandsTest.run(a.toArray(new String[0]));
    }

    private CollectionCommandsTest.Result train(String paths) {
        // with train's default checkpoints: a task that fails on every attempt must still end the run
        return CollectionCommandsTest.run("train", "--paths", paths, "--label-key", "cell_type", "--join", "outer",
                "--epochs", "1", "--holdout", "0");
    }

    private CollectionCommandsTest.Result features(String... paths) {
        List<String> a = new ArrayList<>(List.of("features"));
        a.addAll(List.of(paths));
        a.addAll(List.of("--join", "outer", "--parallelism", "1", "--output-dir", tmp.resolve("features").toString()));
        return CollectionCommandsTest.run(a.toArray(new String[0]));
    }

    /** Exit code non-zero and one stderr line {@code error: ...} with every part (train prints a header on stdout). */
    private static void assertOneLine(CollectionCommandsTest.Result r, String... parts) {
        assertThat(r.code).as("exit code; stderr: %s", r.err).isNotZero();
        assertThat(r.err.strip().split("\n")).as("stderr: %s", r.err).hasSize(1);
        assertThat(r.err).startsWith("error: ").contains(parts).doesNotContain("Job execution failed");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }
}
