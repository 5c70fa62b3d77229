package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every subcommand prints its usage for {@code SUB --help}, {@code SUB -h} and {@code help SUB},
 * on stdout with exit code 0, even when it has required parameters (a PATH, --keys, --output-dir).
 */
class HelpTest {

    static List<String> subcommands() {
        return List.of("inspect", "dump", "summary", "weights", "stream", "train", "features");
    }

    @Test
    void theListAboveIsEveryCommand() {
        Set<String> registered = new CommandLine(new AnnDataCli()).getSubcommands().keySet();
        assertThat(registered).containsExactlyInAnyOrderElementsOf(
                Stream.concat(subcommands().stream(), Stream.of("help")).toList());
    }

    @ParameterizedTest
    @MethodSource("subcommands")
    void helpOption(String sub) {
        assertUsage(CollectionCommandsTest.run(sub, "--help"), sub);
        assertUsage(CollectionCommandsTest.run(sub, "-h"), sub);
    }

    @ParameterizedTest
    @MethodSource("subcommands")
    void helpCommand(String sub) {
        assertUsage(CollectionCommandsTest.run("help", sub), sub);
    }

    @Test
    void helpAlone() {
        CollectionCommandsTest.Result r = CollectionCommandsTest.run("help");
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out).startsWith("Usage: anndata-cli").contains("inspect", "features", "help");
        assertThat(r.err).isEmpty();
    }

    private static void assertUsage(CollectionCommandsTest.Result r, String sub) {
        assertThat(r.code).as("exit code; stderr: %s", r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).startsWith("Usage: anndata-cli " + sub).contains("-h, --help");
    }
}
