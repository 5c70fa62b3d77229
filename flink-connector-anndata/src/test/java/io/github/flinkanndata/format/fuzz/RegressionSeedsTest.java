package io.github.flinkanndata.format.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every input the fuzzer once found a bug with ({@code src/test/resources/fuzz/regressions},
 * one directory per finding, as {@link FuzzCampaign} saves them): each must now pass the oracle.
 */
class RegressionSeedsTest {
    private static final Path REGRESSIONS = Paths.get("src", "test", "resources", "fuzz", "regressions");

    @TempDir static Path work;
    private static FuzzCampaign campaign;

    @BeforeAll
    static void loadSeeds() throws Exception {
        campaign = new FuzzCampaign(SeedCorpus.load(SeedCorpus.committedFixtures(), work.resolve("seeds")),
                work.resolve("case"), new Oracle(ReaderFuzzTest.CPU_BOUND_MILLIS, ReaderFuzzTest.WALL_BOUND_MILLIS));
    }

    @AfterAll
    static void stop() {
        campaign.close();
    }

    static List<String> regressions() throws Exception {
        try (Stream<Path> s = Files.list(REGRESSIONS)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
                    .collect(Collectors.toList());
        }
    }

    @ParameterizedTest
    @MethodSource("regressions")
    void passesTheOracle(String name) throws Exception {
        Verdict v = campaign.replay(REGRESSIONS.resolve(name));
        assertThat(v.isFinding()).as("%s: %s", name, v).isFalse();
    }
}
