package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.collection.Join;
import io.github.flinkanndata.collection.OutputType;
import io.github.flinkanndata.testutil.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One list of allowed values per option, everywhere: the parser's error, the README's option
 * table and command-line summary, and the SQL option table name the same dtypes and join
 * spellings. And every dtype dumps as numbers.
 */
class OptionSpellingsTest {
    static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();

    static List<String> dtypes() {
        List<String> out = new ArrayList<>();
        for (OutputType t : OutputType.values()) {
            out.add(t.numpyName());
        }
        return out;
    }

    /** The backquoted words of the first line of {@code file} that contains {@code marker}. */
    static List<String> quotedIn(String file, String marker) throws Exception {
        String line = Files.readAllLines(ROOT.resolve(file), StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(marker)).findFirst().orElseThrow(() -> new AssertionError(marker + " in " + file));
        Matcher m = Pattern.compile("`([a-z0-9]+)`").matcher(line.substring(line.indexOf(marker) + marker.length()));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void dtypesAreListedAlikeEverywhere() throws Exception {
        List<String> all = dtypes();
        assertThat(all).contains("int8", "int16", "float32");
        assertThat(quotedIn("README.md", "| `dtype` | `anndata.dtype` | stored type |")).isEqualTo(all);
        assertThat(quotedIn("docs/sql.md", "| `scan.dtype` | stored type | `dtype` |")).containsSubsequence(all)
                .startsWith(all.toArray(new String[0]));
        String readmeCli = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        assertThat(readmeCli).contains("`--dtype " + String.join("|", all) + "`");
        CollectionCommandsTest.Result bad = CollectionCommandsTest.run("dump", CollectionCommandsTest.store("num.h5ad"),
                "--dtype", "uint3");
        assertThat(bad.err).contains(String.join(", ", all));
    }

    @Test
    void joinSpellingsAreListedAlikeEverywhere() throws Exception {
        List<String> spellings = List.of(Join.SPELLINGS.replace(" or ", ", ").split(", "));
        assertThat(spellings).containsExactly("inner", "outer", "none");
        assertThat(quotedIn("README.md", "| `join` | `anndata.join` | `inner` |")).containsExactlyElementsOf(spellings);
        assertThat(quotedIn("docs/sql.md", "| `scan.join` | `inner` | `join` |")).containsExactlyElementsOf(spellings);
        assertThat(Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8))
                .contains("`--join " + String.join("|", spellings) + "`");
        CollectionCommandsTest.Result bad = CollectionCommandsTest.run("dump", CollectionCommandsTest.store("num.h5ad"),
                "--join", "left");
        assertThat(bad.err).contains(Join.SPELLINGS);
    }

    /** int8 went out as base64 text (Jackson's byte[]); every dtype must print numbers. */
    @Test
    void everyDtypeDumpsNumbers() throws Exception {
        String store = TestData.realStore("vitessce/anndata-0.10/anndata-dense.zarr").toString();
        ObjectMapper json = new ObjectMapper();
        List<String> reference = null;
        for (String dtype : dtypes().stream().filter(d -> d.startsWith("int")).collect(Collectors.toList())) {
            CollectionCommandsTest.Result r = CollectionCommandsTest.run("dump", store, "--dtype", dtype);
            assertThat(r.code).as("%s: %s", dtype, r.err).isZero();
            List<String> rows = new ArrayList<>();
            for (String line : r.out.split("\n")) {
                JsonNode x = json.readTree(line).get("X");
                assertThat(x.isArray()).as("%s: X is %s", dtype, x).isTrue();
                x.forEach(v -> assertThat(v.isIntegralNumber()).as("%s: %s", dtype, v).isTrue());
                rows.add(x.toString());
            }
            if (reference == null) {
                reference = rows; // small counts: every integer dtype holds them exactly
            }
            assertThat(rows).as(dtype).isEqualTo(reference);
        }
    }
}
