package io.github.flinkanndata.format.zarr;

import static io.github.flinkanndata.format.zarr.ZarrTestStores.array;
import static io.github.flinkanndata.format.zarr.ZarrTestStores.expectFailure;
import static io.github.flinkanndata.format.zarr.ZarrTestStores.open;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Zip stores: duplicate names, STORED and DEFLATE entries, ranged shard reads, unsafe names. */
class ZarrZipStoreTest {

    @TempDir Path tmp;

    @Test
    void lastDuplicateWinsAndDeflateEntriesAreInflated() throws Exception {
        try (ZarrContainer c = open(ZarrTestStores.resource("v2_dup.zarr.zip"))) {
            // stale duplicates come first in the zip: {"version": "old"}, a broken .zarray, a zero
            // chunk
            assertThat(c.root().attributes()).containsEntry("version", "new");
            assertThat(c.root().children()).containsExactly("blosc", "none", "vlen");
            assertThat((double[]) array(c, "none").readAll()).containsExactly(ZarrV2CodecsTest.F8);
            assertThat((String[]) array(c, "vlen").readAll())
                    .containsExactly(ZarrV2CodecsTest.VLEN);
            assertThat((int[]) array(c, "blosc").readAll())
                    .containsExactly(ZarrV2CodecsTest.BASE_I4);
        }
    }

    @Test
    void shardedV3InZip() throws Exception {
        try (ZarrContainer c = open(ZarrTestStores.resource("v3_sharded.zarr.zip"))) {
            assertThat(c.root().attributes())
                    .containsEntry("encoding-type", "dict")
                    .doesNotContainKey("which");
            assertThat(c.root().children())
                    .contains("sharded_end", "sharded_start", "sub")
                    .hasSize(16);
            // STORED shards: index and inner chunks read at offsets
            assertThat((int[]) array(c, "sharded_end").readAll())
                    .containsExactly(ZarrV3FeaturesTest.shardedEnd());
            assertThat((int[]) array(c, "sharded_end").read(new long[] {9, 7}, new int[] {1, 2}))
                    .containsExactly(-1, 999);
            // DEFLATE shards: inflated whole, then sliced
            assertThat(((double[]) array(c, "sharded_start").readAll())[12]).isEqualTo(1.0);
            assertThat((String[]) array(c, "sharded_str").read(new long[] {4}, new int[] {3}))
                    .containsExactly("a longer string", "s5", "last");
            assertThat((boolean[]) array(c, "sub/leaf").readAll())
                    .containsExactly(true, false, true);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil", "a/../../evil", "/abs/.zgroup", "C:/x", "a/./b"})
    void unsafeEntryNamesAreRefused(String name) throws Exception {
        Path zip = tmp.resolve("evil.zarr.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(out, ".zgroup", "{\"zarr_format\": 2}");
            put(out, name, "x");
        }
        expectFailure(() -> open(zip), zip, name, "unsafe zip entry");
    }

    @Test
    void notAZipFile() throws Exception {
        Path file = tmp.resolve("garbage.zarr.zip");
        Files.write(file, "definitely not a zip".getBytes(StandardCharsets.UTF_8));
        expectFailure(() -> open(file), file, null, "cannot open as a zip store");
    }

    @Test
    void zipWithoutZarrMetadata() throws Exception {
        Path zip = tmp.resolve("empty.zarr.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(out, "readme.txt", "hello");
        }
        expectFailure(() -> open(zip), zip, null, "not a zarr store");
    }

    private static void put(ZipOutputStream out, String name, String content) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        OutputStream o = out;
        o.write(content.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }
}
