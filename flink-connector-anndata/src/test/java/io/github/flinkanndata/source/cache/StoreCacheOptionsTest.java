package io.github.flinkanndata.source.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The store cache options through the builder and a Flink {@code Configuration}, and their checks. */
class StoreCacheOptionsTest {
    private static final String STORE = "s3://bucket/a.h5ad";

    @Test
    void defaultsAreTheOptionDefaults() {
        CacheSettings s = AnnDataSource.builder(STORE).build().settings().storeCache();
        assertThat(s.directory()).isNull();
        assertThat(s.maxBytes()).isEqualTo(AnnDataSourceOptions.STORE_CACHE_MAX_BYTES.defaultValue().getBytes());
        assertThat(s.downloadRetries()).isEqualTo(AnnDataSourceOptions.STORE_CACHE_DOWNLOAD_RETRIES.defaultValue());
    }

    @Test
    void builderAndConfigurationSetTheSameSettings() {
        CacheSettings built = AnnDataSource.builder(STORE).storeCacheDir("cache").storeCacheMaxBytes(1234)
                .storeCacheDownloadRetries(7).build().settings().storeCache();
        Configuration config = new Configuration();
        config.set(AnnDataSourceOptions.STORE_CACHE_DIR, "cache");
        config.set(AnnDataSourceOptions.STORE_CACHE_MAX_BYTES, new org.apache.flink.configuration.MemorySize(1234));
        config.set(AnnDataSourceOptions.STORE_CACHE_DOWNLOAD_RETRIES, 7);
        CacheSettings configured = AnnDataSource.builder(STORE).configure(config).build().settings().storeCache();
        assertThat(configured).isEqualTo(built).isEqualTo(new CacheSettings("cache", 1234, 7));
    }

    @Test
    void badValuesAreRejectedNamingTheOption() {
        assertThatThrownBy(() -> AnnDataSource.builder(STORE).storeCacheMaxBytes(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("storeCacheMaxBytes must be > 0, was 0");
        assertThatThrownBy(() -> AnnDataSource.builder(STORE).storeCacheDownloadRetries(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("storeCacheDownloadRetries must be >= 0, was -1");
        assertThatThrownBy(() -> AnnDataSource.builder(STORE).storeCacheDir(" ").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeCacheDir");
    }
}
