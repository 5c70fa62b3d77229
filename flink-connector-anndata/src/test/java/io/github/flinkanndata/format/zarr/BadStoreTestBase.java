package io.github.flinkanndata.format.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Base of the bad-input tests: fresh, writable copies of the generated v2 store (per-node metadata,
 * .zmetadata removed) and v3 store for each test to damage.
 *
 * <p>Every problem must surface as an AnnDataFormatException naming the store and the element (and
 * the chunk key where there is one), never as a raw runtime exception, an out-of-memory error or a
 * hang.
 */
abstract class BadStoreTestBase {

    @TempDir Path tmp;
    Path v2;
    Path v3;

    @BeforeEach
    void copyStores() throws IOException {
        // only the arrays these tests damage: copying whole stores per test is slow
        v2 =
                ZarrTestStores.copy(
                        ZarrTestStores.resource("v2_codecs.zarr"),
                        tmp.resolve("v2.zarr"),
                        "zstd",
                        "gzip",
                        "zlib",
                        "lz4",
                        "bz2",
                        "none",
                        "vlen",
                        "blosc_lz4_0",
                        "blosc_lz4_1",
                        "blosc_zstd_2");
        Files.delete(v2.resolve(".zmetadata")); // so that the per-node files are read
        v3 =
                ZarrTestStores.copy(
                        ZarrTestStores.resource("v3_features.zarr"),
                        tmp.resolve("v3.zarr"),
                        "crc",
                        "gzip",
                        "big",
                        "blosc",
                        "transpose",
                        "struct",
                        "sharded_end",
                        "sharded_start");
    }

    static void edit(Path file, String from, String to) throws IOException {
        String json = Files.readString(file);
        assertThat(json).contains(from);
        Files.writeString(file, json.replace(from, to));
    }
}
