package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.cache.CacheSettings;
import io.github.flinkanndata.source.cache.RemoteMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The source's {@code remote.*} options as flags of the collection commands ({@code --remote-*}):
 * listed with the source's defaults in the help, parsed as every surface parses them, and a bad
 * value fails with one line naming the option.
 */
class RemoteFlagsTest {

    @Test
    void theHelpListsEveryRemoteFlagWithTheSourcesDefault() {
        for (String sub : new String[] {"dump", "summary", "weights", "stream"}) {
            String help = CollectionCommandsTest.run(sub, "--help").out.replaceAll("\\s+", " ");
            assertThat(help).as(sub).contains("--remote-mode=range|copy", "--remote-cache-bytes=SIZE",
                    "--remote-fetch-threads=N", "--remote-retries=N", "--remote-validate-interval=DURATION");
            assertThat(help).contains("(default: " + AnnDataSourceOptions.REMOTE_MODE.defaultValue().name()
                    .toLowerCase(java.util.Locale.ROOT) + ")");
            assertThat(AnnDataSourceOptions.REMOTE_CACHE_BYTES.defaultValue())
                    .isEqualTo(org.apache.flink.configuration.MemorySize.parse("256 mb"));
            assertThat(help).contains("nothing (default: 256 mb)");
            assertThat(help).contains("(default: " + AnnDataSourceOptions.REMOTE_FETCH_THREADS.defaultValue() + ")");
            assertThat(help).contains("(default: " + AnnDataSourceOptions.REMOTE_RETRIES.defaultValue() + ")");
            assertThat(AnnDataSourceOptions.REMOTE_VALIDATE_INTERVAL.defaultValue()).isEqualTo(Duration.ZERO);
            assertThat(help).contains("every fetch (default: 0)");
        }
    }

    @Test
    void theFlagsBecomeTheSourcesRemoteSettings() {
        Holder h = new Holder();
        new CommandLine(h).parseArgs("a.h5ad", "--remote-mode", "copy", "--remote-cache-bytes", "1 gb",
                "--remote-fetch-threads", "3", "--remote-retries", "5", "--remote-validate-interval", "30 s");
        CacheSettings s = h.collection.remoteReads();
        assertThat(s.mode()).isEqualTo(RemoteMode.COPY);
        assertThat(s.rangeCacheBytes()).isEqualTo(1L << 30);
        assertThat(s.fetchThreads()).isEqualTo(3);
        assertThat(s.reads().retries()).isEqualTo(5);
        assertThat(s.reads().validateIntervalMillis()).isEqualTo(30_000);
        Holder none = new Holder();
        new CommandLine(none).parseArgs("a.h5ad");
        CacheSettings d = none.collection.remoteReads();
        assertThat(d.mode()).isEqualTo(RemoteMode.RANGE);
        assertThat(d.rangeCacheBytes()).isEqualTo(CacheSettings.DEFAULT_RANGE_CACHE_BYTES);
        assertThat(d.fetchThreads()).isEqualTo(CacheSettings.DEFAULT_FETCH_THREADS);
    }

    @Test
    void aLocalStoreReadsAlikeWhateverTheFlagsAndABadValueFailsInOneLine() {
        String store = CollectionCommandsTest.store("mixed_m2_v2.zarr");
        CollectionCommandsTest.Result plain = CollectionCommandsTest.run("dump", store);
        CollectionCommandsTest.Result flagged = CollectionCommandsTest.run("dump", store, "--remote-mode", "copy",
                "--remote-cache-bytes", "1 mb", "--remote-retries", "0");
        assertThat(plain.code).as(plain.err).isZero();
        assertThat(flagged.code).as(flagged.err).isZero();
        assertThat(flagged.out).isEqualTo(plain.out);
        CollectionCommandsTest.Result bad = CollectionCommandsTest.run("dump", store, "--remote-mode", "sideways");
        assertThat(bad.code).isNotZero();
        assertThat(bad.err.strip().lines().count()).as(bad.err).isEqualTo(1);
        assertThat(bad.err).contains("remote.mode");
    }

    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin CollectionOptionsMixin collection;
    }
}
