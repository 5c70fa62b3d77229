package io.github.flinkanndata.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The growing-collection options: validated in build(), also settable from a Configuration. */
class GrowingOptionsTest {
    private static AnnDataSourceBuilder growing() {
        return AnnDataSource.builder("a.h5ad").epochs(AnnDataSourceBuilder.UNBOUNDED).watchDirectories("incoming");
    }

    @Test
    void validGrowingSettings() {
        SourceSettings s = growing().discoveryInterval(Duration.ofSeconds(3)).genes(List.of("g1", "g2")).build()
                .settings();
        assertThat(s.growing()).isTrue();
        assertThat(s.watchDirectories()).containsExactly("incoming");
        assertThat(s.discoveryInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.genes()).containsExactly("g1", "g2");
        assertThat(AnnDataSource.builder("a.h5ad").build().settings().growing()).isFalse();
    }

    @Test
    void refusesWhatAGrowingCollectionCannotDo() {
        assertThatThrownBy(() -> growing().epochs(3).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs unbounded epochs");
        assertThatThrownBy(() -> growing().sampling(SamplingMode.WEIGHTED).weightKeys("cell_type").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WEIGHTED");
        assertThatThrownBy(() -> growing().join("none").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("join inner or outer");
        assertThatThrownBy(() -> growing().discoveryInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("discoveryInterval");
        assertThatThrownBy(() -> AnnDataSource.builder("a.h5ad").genes(List.of("g")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("for growing collections");
        assertThatThrownBy(() -> growing().watchDirectories("s3://bucket/incoming").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be local directories");
        assertThatThrownBy(() -> AnnDataSource.builder("hdfs://nn/a.h5ad").epochs(AnnDataSourceBuilder.UNBOUNDED)
                .watchDirectories("incoming").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hdfs://nn/a.h5ad is remote");
    }

    @Test
    void configurationOptions() {
        Configuration c = new Configuration();
        c.set(AnnDataSourceOptions.EPOCHS, -1);
        c.set(AnnDataSourceOptions.WATCH_DIRECTORIES, List.of("d1", "d2"));
        c.set(AnnDataSourceOptions.DISCOVERY_INTERVAL, Duration.ofMillis(250));
        c.set(AnnDataSourceOptions.GENES, List.of("x", "y"));
        SourceSettings s = AnnDataSource.builder("a.h5ad").configure(c).build().settings();
        assertThat(s.watchDirectories()).containsExactly("d1", "d2");
        assertThat(s.discoveryInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.genes()).containsExactly("x", "y");
    }
}
