package io.github.flinkanndata.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.table.AnnDataDynamicTableFactory;
import io.github.flinkanndata.table.AnnDataTableOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * From the option list alone ({@link AnnDataSourceOptions#all()}): every option reaches the
 * builder, SQL, Python and the docs, so that the surfaces cannot drift apart. Adding an option
 * to the list makes this test name each surface that lacks it.
 */
class OptionReachabilityTest {
    private static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();
    private static final List<ConfigOption<?>> ALL = AnnDataSourceOptions.all();

    @Test
    void theListHoldsEveryDeclaredOption() throws Exception {
        long declared = java.util.Arrays.stream(AnnDataSourceOptions.class.getFields())
                .filter(f -> f.getType() == ConfigOption.class).count();
        assertThat(ALL).hasSize((int) declared).hasSizeGreaterThan(20);
    }

    /** {@code set} and {@code configure} both set each option on the builder, to the value given. */
    @Test
    void everyOptionReachesTheBuilder() {
        for (ConfigOption<?> option : ALL) {
            Configuration given = new Configuration();
            given.setString(option.key(), SAMPLE.getOrDefault(AnnDataSourceOptions.name(option), "7"));
            assertThat(AnnDataSource.builder("a.h5ad").configure(given).configuration().get(option))
                    .as(option.key()).isEqualTo(given.get(option));
            assertThat(setTyped(option, given).configuration().get(option)).as(option.key()).isEqualTo(given.get(option));
        }
    }

    private static <T> AnnDataSourceBuilder setTyped(ConfigOption<T> option, Configuration given) {
        return AnnDataSource.builder("a.h5ad").set(option, given.get(option));
    }

    @Test
    void everyOptionIsATableOption() {
        List<String> sql = new AnnDataDynamicTableFactory().optionalOptions().stream().map(ConfigOption::key)
                .collect(Collectors.toList());
        sql.addAll(new AnnDataDynamicTableFactory().requiredOptions().stream().map(ConfigOption::key)
                .collect(Collectors.toList()));
        for (ConfigOption<?> option : ALL) {
            assertThat(sql).as("SQL").contains(AnnDataSourceOptions.sqlKey(option));
            assertThat(AnnDataTableOptions.sql(option).key()).isEqualTo(AnnDataSourceOptions.sqlKey(option));
        }
        assertThat(sql).hasSize(ALL.size());
    }

    /** The Python wrapper's one table of keys ({@code _apply.KEYS}) names every option, by its snake-case name. */
    @Test
    void everyOptionHasAPythonName() throws Exception {
        String py = Files.readString(ROOT.resolve("python/flink-anndata/src/flink_anndata/_apply.py"),
                StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"([a-z_]+)\": PREFIX \\+ \"([a-z.-]+)\"").matcher(py);
        Map<String, String> keys = new LinkedHashMap<>();
        while (m.find()) {
            keys.put(m.group(2), m.group(1));
        }
        for (ConfigOption<?> option : ALL) {
            String name = AnnDataSourceOptions.name(option);
            assertThat(keys).as("python KEYS").containsEntry(name, name.replace('-', '_').replace('.', '_'));
        }
        assertThat(keys).hasSize(ALL.size());
    }

    /** README's option table and docs/sql.md's list every option, with its builder name. */
    @Test
    void everyOptionIsDocumented() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        String sql = Files.readString(ROOT.resolve("docs/sql.md"), StandardCharsets.UTF_8);
        for (ConfigOption<?> option : ALL) {
            String builder = option.equals(AnnDataSourceOptions.PATHS) ? "builder(paths...)"
                    : AnnDataSourceOptions.builderName(option);
            assertThat(readme).as("README row").contains("| `" + builder + "` | `" + option.key() + "` |");
            assertThat(sql).as("docs/sql.md row").contains("| `" + AnnDataSourceOptions.sqlKey(option) + "` |");
        }
    }

    /** A value that parses for each option whose type is not a number. */
    private static final Map<String, String> SAMPLE = Map.ofEntries(
            Map.entry("paths", "a.h5ad"), Map.entry("layers-keys", "X"), Map.entry("obs-keys", "k"),
            Map.entry("obsm-keys", "k"), Map.entry("obs-filter", "k:v"), Map.entry("join", "outer"),
            Map.entry("encode-labels", "false"), Map.entry("unknown-label", "u"),
            Map.entry("cache-categories", "false"), Map.entry("dtype", "float32"), Map.entry("output", "DENSE"),
            Map.entry("sampling", "BLOCK_SHUFFLED"), Map.entry("weight-keys", "k"),
            Map.entry("weight-scaler", "2.0"), Map.entry("chunk-cache-bytes", "1 mb"),
            Map.entry("watch-directories", "d"), Map.entry("discovery-interval", "2 s"), Map.entry("genes", "g"),
            Map.entry("store-cache.dir", "c"), Map.entry("store-cache.max-bytes", "1 mb"),
            Map.entry("remote.mode", "COPY"), Map.entry("remote.cache-bytes", "1 mb"),
            Map.entry("remote.validate-interval", "2 s"));

}
