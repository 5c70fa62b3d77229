package io.github.flinkanndata.format.zarr;

import static io.github.flinkanndata.format.zarr.ZarrTestStores.array;
import static io.github.flinkanndata.format.zarr.ZarrTestStores.expectFailure;
import static io.github.flinkanndata.format.zarr.ZarrTestStores.open;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.ArrayNode;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** Broken or unsupported metadata, absurd shapes, bad slabs and paths. */
class ZarrBadMetadataTest extends BadStoreTestBase {

    @Test
    void brokenArrayJson() throws Exception {
        Files.writeString(v3.resolve("crc/zarr.json"), "{\"shape\": [5], \"data_type\": ");
        try (ZarrContainer c = open(v3)) {
            expectFailure(() -> c.node("crc"), v3, "crc", "not valid JSON");
        }
        Files.writeString(v2.resolve("zstd/.zarray"), "{ not json }");
        try (ZarrContainer c = open(v2)) {
            expectFailure(() -> c.node("zstd"), v2, "zstd", "'zstd/.zarray' is not valid JSON");
        }
    }

    @Test
    void brokenRootAndConsolidatedJson() throws Exception {
        Files.writeString(v3.resolve("zarr.json"), "{\"zarr_format\": 3,,}");
        expectFailure(() -> open(v3), v3, "", "not valid JSON");
        Path consolidated =
                ZarrTestStores.copy(
                        ZarrTestStores.resource("v2_codecs.zarr"), tmp.resolve("c.zarr"), "sub");
        Files.writeString(consolidated.resolve(".zmetadata"), "[1, 2");
        expectFailure(() -> open(consolidated), consolidated, "", "'.zmetadata' is not valid JSON");
    }

    @Test
    void unknownCodecsCompressorsFiltersAndTypes() throws Exception {
        edit(v3.resolve("gzip/zarr.json"), "\"name\": \"gzip\"", "\"name\": \"frobnicate\"");
        edit(v3.resolve("big/zarr.json"), "\"float64\"", "\"float16\"");
        edit(v2.resolve("zstd/.zarray"), "\"id\": \"zstd\"", "\"id\": \"lzma\"");
        edit(
                v2.resolve("gzip/.zarray"),
                "\"filters\": null",
                "\"filters\": [{\"id\": \"delta\", \"dtype\": \"<f8\"}]");
        edit(v2.resolve("zlib/.zarray"), "\"<f8\"", "\"<c16\"");
        try (ZarrContainer c3 = open(v3);
                ZarrContainer c2 = open(v2)) {
            expectFailure(() -> c3.node("gzip"), v3, "gzip", "unsupported codec 'frobnicate'");
            expectFailure(() -> c3.node("big"), v3, "big", "unsupported data_type 'float16'");
            expectFailure(() -> c2.node("zstd"), v2, "zstd", "unsupported compressor 'lzma'");
            expectFailure(() -> c2.node("gzip"), v2, "gzip", "unsupported filter 'delta'");
            expectFailure(() -> c2.node("zlib"), v2, "zlib", "unsupported data type '<c16'");
            // the rest of the store stays readable
            assertThat((short[]) array(c3, "crc").readAll()).hasSize(5);
        }
    }

    @Test
    void absurdShapesAllocateNothing() throws Exception {
        edit(
                v3.resolve("crc/zarr.json"),
                "\"shape\": [\n    5\n  ]",
                "\"shape\": [4611686018427387904, 4611686018427387904]");
        edit(
                v3.resolve("crc/zarr.json"),
                "\"chunk_shape\": [\n        2\n      ]",
                "\"chunk_shape\": [2, 2]");
        edit(
                v3.resolve("gzip/zarr.json"),
                "\"chunk_shape\": [\n        2,\n        2\n      ]",
                "\"chunk_shape\": [2147483647, 2147483647]");
        edit(
                v3.resolve("struct/zarr.json"),
                "\"shape\": [\n    3\n  ]",
                "\"shape\": [9223372036854775807]");
        // a huge 1-D array with small chunks is fine to open: reads touch only their chunks
        edit(
                v3.resolve("blosc/zarr.json"),
                "\"shape\": [\n    5\n  ]",
                "\"shape\": [1000000000000000]");
        try (ZarrContainer c = open(v3)) {
            expectFailure(() -> c.node("crc"), v3, "crc", "too large: more than 2^63 elements");
            expectFailure(() -> c.node("gzip"), v3, "gzip", "chunk shape", "too large");
            expectFailure(() -> c.node("struct"), v3, "struct", "overflows with its chunks");
            ArrayNode huge = array(c, "blosc");
            assertThat((long[]) huge.read(new long[] {999999999999997L}, new int[] {3}))
                    .containsExactly(0, 0, 0);
            assertThat((long[]) huge.read(new long[] {0}, new int[] {2})).containsExactly(0, -1);
            expectFailure(huge::readAll, v3, "blosc", "too large to read whole");
            expectFailure(
                    () -> huge.read(new long[] {0}, new int[] {Integer.MAX_VALUE}),
                    v3,
                    "blosc",
                    "too large");
        }
    }

    @Test
    void badSlabsAndPaths() throws Exception {
        try (ZarrContainer c = open(v3)) {
            ArrayNode a = array(c, "transpose");
            expectFailure(
                    () -> a.read(new long[] {3, 0}, new int[] {2, 5}),
                    v3,
                    "transpose",
                    "slab out of bounds");
            expectFailure(
                    () -> a.read(new long[] {-1, 0}, new int[] {1, 1}),
                    v3,
                    "transpose",
                    "slab out of bounds");
            expectFailure(
                    () -> a.read(new long[] {0}, new int[] {1}),
                    v3,
                    "transpose",
                    "needs 2 offsets");
            expectFailure(() -> a.readField("x", 0, 1), v3, "transpose", "not a compound array");
            expectFailure(
                    () -> array(c, "struct").readField("nope", 0, 1),
                    v3,
                    "struct",
                    "no field 'nope'");
            expectFailure(() -> c.node("../v2.zarr"), v3, "../v2.zarr", "invalid node path");
            expectFailure(() -> c.node("sub//leaf"), v3, "sub//leaf", "invalid node path");
        }
        Path empty = Files.createDirectory(tmp.resolve("empty.zarr"));
        expectFailure(() -> open(empty), empty, null, "not a zarr store");
        Path missing = tmp.resolve("missing.zarr");
        expectFailure(() -> open(missing), missing, null, "no such directory or file");
    }
}
