package io.github.flinkanndata.format.h5ad;

import static io.github.flinkanndata.format.h5ad.H5Fixtures.array;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.testutil.TestData;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken input fails with an AnnDataFormatException naming store, element and chunk; never hangs.
 */
class H5adFailureTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir Path tmp;

    @Test
    void notAnHdf5File() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.h5ad"), "this is not HDF5\n".repeat(100));
        assertThatThrownBy(() -> H5adContainer.open(text, ContainerOptions.defaults()))
                .isInstanceOf(AnnDataFormatException.class)
                .hasMessageContaining(text.toString())
                .hasMessageContaining("HDF5");
        Path missing = tmp.resolve("missing.h5ad");
        assertThatThrownBy(() -> H5adContainer.open(missing, ContainerOptions.defaults()))
                .isInstanceOf(AnnDataFormatException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void truncatedFiles() throws Exception {
        Path source = TestData.realStore("anndataR/example.h5ad");
        long size = Files.size(source);
        for (long keep : new long[] {size / 2, size - 1, 100, 2048}) {
            Path cut = tmp.resolve("cut" + keep + ".h5ad");
            Files.copy(source, cut, StandardCopyOption.REPLACE_EXISTING);
            try (RandomAccessFile f = new RandomAccessFile(cut.toFile(), "rw")) {
                f.setLength(keep);
            }
            assertTimeoutPreemptively(
                    LIMIT,
                    () ->
                            assertThatThrownBy(
                                            () -> {
                                                try (H5adContainer c =
                                                        H5adContainer.open(
                                                                cut, ContainerOptions.defaults())) {
                                                    for (String p : H5Fixtures.arrayPaths(c)) {
                                                        array(c, p).readAll();
                                                    }
                                                }
                                            })
                                    .isInstanceOf(AnnDataFormatException.class)
                                    .hasMessageContaining(cut.toString()));
        }
    }

    /**
     * Flips bytes inside gzip chunk 1 of X/data (h5py get_chunk_info: chunk_offset (2159,), 1798
     * bytes at byte_offset 10739; h5py then fails on it too): that chunk fails, its neighbour
     * reads.
     */
    @Test
    void corruptedGzipChunk() throws Exception {
        Path copy = tmp.resolve("corrupt.h5ad");
        Files.copy(TestData.realStore("anndataR/example.h5ad"), copy);
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            for (long at = 10_739 + 100; at < 10_739 + 200; at++) {
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x5A);
            }
        }
        try (H5adContainer c = H5adContainer.open(copy, ContainerOptions.defaults())) {
            ArrayNode data = array(c, "X/data");
            assertTimeoutPreemptively(
                    LIMIT,
                    () ->
                            assertThatThrownBy(() -> data.read(new long[] {2159}, new int[] {10}))
                                    .isInstanceOf(AnnDataFormatException.class)
                                    .hasMessageContaining(copy.toString())
                                    .hasMessageContaining("X/data")
                                    .hasMessageContaining("chunk [2159]")
                                    .hasMessageContaining("deflate"));
            assertThat((float[]) data.read(new long[] {0}, new int[] {10})).hasSize(10);
        }
    }

    @Test
    void outOfBoundsAndMalformedSlabs() throws Exception {
        try (H5adContainer c = H5Fixtures.openReal("anndataR/example.h5ad")) {
            ArrayNode data = array(c, "X/data"); // 4317 elements
            assertThatThrownBy(() -> data.read(new long[] {4310}, new int[] {8}))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("X/data")
                    .hasMessageContaining("out of bounds");
            assertThatThrownBy(() -> data.read(new long[] {-1}, new int[] {1}))
                    .isInstanceOf(AnnDataFormatException.class);
            assertThatThrownBy(() -> data.read(new long[] {0}, new int[] {-1}))
                    .isInstanceOf(AnnDataFormatException.class);
            assertThatThrownBy(() -> data.read(new long[] {0, 0}, new int[] {1, 1}))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("rank");
            assertThat((float[]) data.read(new long[] {4317}, new int[] {0})).isEmpty();
            assertThatThrownBy(() -> array(c, "obs/_index").readField("x", 0, 1))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("compound");
        }
    }

    /**
     * HDF5 2.0 with libver="latest" writes data layout messages of version 5, unknown to jhdf 0.13.
     * jhdf loads a group's members together, so the whole group becomes unreadable.
     */
    @Test
    void unsupportedLayoutVersionFailsCleanly() throws Exception {
        try (H5adContainer c = H5Fixtures.openResource("layout_v5.h5")) {
            assertThatThrownBy(() -> c.node("data"))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("layout_v5.h5")
                    .hasMessageContaining("element 'data'")
                    .hasMessageContaining("layout message version");
            assertThatThrownBy(() -> c.root().children())
                    .isInstanceOf(AnnDataFormatException.class);
        }
    }

    /** absurd_shape.h5 declares 2^40 elements over 3001 stored ones (make_test_files.py). */
    @Test
    void absurdShapesAllocateOnlyTheSlab() throws Exception {
        long huge = 1L << 40;
        try (H5adContainer c = H5Fixtures.openResource("absurd_shape.h5")) {
            ArrayNode chunked = array(c, "chunked");
            assertThat(chunked.shape()).containsExactly(huge);
            assertThat((int[]) chunked.read(new long[] {1020}, new int[] {5}))
                    .containsExactly(50, 51, 52, 53, 54);
            // far beyond the stored chunks: never written, so the fill value (as h5py reads it)
            assertThat((int[]) chunked.read(new long[] {huge - 3}, new int[] {3}))
                    .containsExactly(0, 0, 0);
            assertThatThrownBy(chunked::readAll).isInstanceOf(AnnDataFormatException.class);
            // contiguous data declared far longer than the file (h5py refuses to open it): every
            // read fails after one bounded read attempt, wherever it starts
            ArrayNode contiguous = array(c, "contiguous");
            assertThat(contiguous.shape()).containsExactly(huge);
            for (long at : new long[] {0, huge / 2, huge - 4}) {
                assertTimeoutPreemptively(
                        LIMIT,
                        () ->
                                assertThatThrownBy(
                                                () ->
                                                        contiguous.read(
                                                                new long[] {at}, new int[] {4}))
                                        .isInstanceOf(AnnDataFormatException.class)
                                        .hasMessageContaining("contiguous")
                                        .hasMessageContaining("beyond the end of the file"));
            }
            assertThatThrownBy(() -> chunked.read(new long[] {0}, new int[] {Integer.MAX_VALUE}))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("too large");
        }
    }
}
