package io.github.flinkanndata.sql;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * docs/sql.md shows the very script that the real-cluster test runs with Flink's SQL client
 * (examples/sql/cell-type-counts.sql), so the two cannot drift apart.
 */
class SqlScriptDocsITCase {
    @Test
    void theDocsShowTheScriptTheClusterTestRuns() throws IOException {
        Path root = Paths.get(System.getProperty("repository.root"));
        String script = Files.readString(root.resolve("examples/sql/cell-type-counts.sql"), UTF_8);
        String docs = Files.readString(root.resolve("docs/sql.md"), UTF_8);
        assertThat(script).contains("ADD JAR", "'connector' = 'anndata'", "GROUP BY");
        assertThat(docs).contains("```sql\n" + script + "```");
    }
}
