package io.github.flinkanndata.source.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.StoreLocation;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.source.cache.StorePaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a store path is resolved, by both resolvers: {@code file:} URIs are local paths also
 * without Flink ({@code AnnDataCollection.open(options)}); a scheme Flink has no file system for
 * fails at once (no download retries) with a message naming the scheme and the plugin to add.
 */
class PathSchemesTest {
    @TempDir Path tmp;

    @BeforeAll
    static void fileSystems() {
        FileSystem.initialize(new Configuration(), null);
    }

    @Test
    void fileUrisOpenWithoutFlink() throws Exception {
        Path m1 = CacheTestStores.reference("mixed_m1.h5ad");
        Path m2 = CacheTestStores.reference("mixed_m2_v2.zarr");
        List<String> uris = List.of(m1.toUri().toString(), "file:" + m2, "file://localhost" + m2);
        try (AnnDataCollection want = AnnDataCollection.open(CollectionOptions.builder(m1.toString(), m2.toString(),
                        m2.toString()).obsKeys("cell_type").join("outer").build());
                AnnDataCollection got = AnnDataCollection.open(
                        CollectionOptions.builder(uris).obsKeys("cell_type").join("outer").build())) {
            assertThat(got.size()).isEqualTo(want.size());
            for (long i = 0; i < want.size(); i++) {
                var a = got.get(i).asMap();
                var b = want.get(i).asMap();
                assertThat(a.keySet()).isEqualTo(b.keySet());
                for (String k : b.keySet()) {
                    assertThat(Objects.deepEquals(a.get(k), b.get(k))).as("%s of sample %d", k, i).isTrue();
                }
            }
        }
    }

    @Test
    void aMissingFileUriIsNamedWithoutALocalCopy() {
        String uri = tmp.resolve("missing.h5ad").toUri().toString();
        assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder(uri).build()))
                .isInstanceOf(AnnDataFormatException.class)
                .hasMessageContaining("missing.h5ad").hasMessageContaining("no such file or directory")
                .hasMessageNotContaining("local copy");
    }

    @Test
    void withoutFlinkARemoteSchemeSaysWhatReadsIt() {
        assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder("s3://bucket/a.h5ad").build()))
                .isInstanceOf(AnnDataFormatException.class)
                .hasMessageContaining("s3://bucket/a.h5ad").hasMessageContaining("Flink file system")
                .hasMessageNotContaining("local copy");
    }

    @Test
    void aSchemeWithoutAFileSystemFailsAtOnceNamingThePlugin() {
        CachingStoreResolver r = new CachingStoreResolver(new CacheSettings(tmp.resolve("cache").toString(), 1L << 30, 3),
                tmp.toString(), new RecordingMetricGroup());
        long start = System.nanoTime();
        assertThatThrownBy(() -> r.resolve("s3://bucket/a.h5ad")).isInstanceOf(IOException.class)
                .hasMessageContaining("no Flink file system for scheme 's3'")
                .hasMessageContaining("flink-s3-fs-hadoop").hasMessageContaining("flink-s3-fs-presto")
                .hasMessageContaining("plugins").hasMessageNotContaining("attempt");
        assertThatThrownBy(() -> r.resolve("foo://bucket/a.h5ad")).isInstanceOf(IOException.class)
                .hasMessageContaining("no Flink file system for scheme 'foo'").hasMessageNotContaining("attempt");
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms, without retries").isLessThan(500);
        assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder("gs://bucket/a.zarr").build(), r))
                .isInstanceOf(AnnDataFormatException.class)
                .hasMessageStartingWith("store 'gs://bucket/a.zarr': ")
                .hasMessageContaining("flink-gs-fs-hadoop");
        assertThat(tmp.resolve("cache")).as("no cache for a scheme that cannot be read").doesNotExist();
    }

    @Test
    void whatIsLocal() {
        assertThat(StoreLocation.scheme("/data/a.h5ad")).isNull();
        assertThat(StoreLocation.scheme("C:\\data\\a.h5ad")).as("a drive letter").isNull();
        assertThat(StoreLocation.scheme("S3://b/a.h5ad")).isEqualTo("s3");
        assertThat(StoreLocation.local("rel/a.h5ad")).isEqualTo(Path.of("rel/a.h5ad"));
        assertThat(StoreLocation.local("file:///data/a b.h5ad")).isEqualTo(Path.of("/data/a b.h5ad"));
        assertThat(StoreLocation.local("file:///data/a%20b.h5ad")).isEqualTo(Path.of("/data/a b.h5ad"));
        assertThat(StoreLocation.local("file:/data/a.h5ad")).isEqualTo(Path.of("/data/a.h5ad"));
        assertThat(StoreLocation.local("file://localhost/data/a.h5ad")).isEqualTo(Path.of("/data/a.h5ad"));
        assertThat(StoreLocation.local("hdfs://nn/data/a.h5ad")).isNull();
        assertThat(StoreLocation.isRemote("file:///data/a.h5ad")).isFalse();
        assertThat(StoreLocation.isRemote("gs://b/a.zarr")).isTrue();
    }

    @Test
    void clientSideChecksNameThePath() {
        String m1 = CacheTestStores.reference("mixed_m1.h5ad").toString();
        String missing = tmp.resolve("missing.zarr").toUri().toString();
        StorePaths.check(List.of(m1, "file:" + m1, SlowFileSystem.uri(Path.of(m1))));
        assertThatThrownBy(() -> StorePaths.check(List.of(m1, missing))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("store '" + missing + "': no such file or directory");
        assertThatThrownBy(() -> StorePaths.check(List.of("oss://b/a.h5ad"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("store 'oss://b/a.h5ad': no Flink file system for scheme 'oss': put "
                        + "flink-oss-fs-hadoop into the plugins folder");
        assertThatThrownBy(() -> StorePaths.check(List.of("hdfs://nn/a.h5ad"))).hasMessageContaining("HADOOP_CLASSPATH");
    }
}
