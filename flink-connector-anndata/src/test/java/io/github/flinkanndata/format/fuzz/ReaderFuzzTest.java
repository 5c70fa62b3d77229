package io.github.flinkanndata.format.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.fuzz.SeedCorpus.Seed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the h5ad and zarr readers with mutated fixture stores: every case must read cleanly or
 * fail with an {@code AnnDataFormatException}, within 2 s of CPU time and its allocation bound.
 *
 * <p>The default is the CI run: a fresh seed every run (printed), as many cases as fit in 60
 * seconds, so that each build tries inputs no earlier build tried; the inputs that once found a
 * bug are replayed on every build by {@link RegressionSeedsTest}. A finding fails the run with the
 * command that replays it. The long run and single-case replay are the same test with properties:
 *
 * <pre>
 * mvn -B -ntp -o -pl flink-connector-anndata test -Dtest=ReaderFuzzTest#fuzz \
 *     -Dfuzz.seed=7 -Dfuzz.cases=100000000 -Dfuzz.seconds=1800
 * mvn ... -Dtest=ReaderFuzzTest#fuzz -Dfuzz.case=-4962768465676381896   # replay one case
 * </pre>
 *
 * Findings are saved under {@code target/fuzz-findings} and summarised in {@code
 * target/fuzz-report.txt}.
 */
class ReaderFuzzTest {
    static final long CPU_BOUND_MILLIS = 2_000;
    static final long WALL_BOUND_MILLIS = 60_000;

    /** A given seed repeats a run; without one, each run draws its own (and prints it). */
    private static final boolean FRESH_SEED = System.getProperty("fuzz.seed", "").trim().isEmpty();
    private static final long SEED = FRESH_SEED
            ? java.util.concurrent.ThreadLocalRandom.current().nextLong()
            : Long.parseLong(System.getProperty("fuzz.seed").trim());
    private static final long CASES = Long.getLong("fuzz.cases", Long.MAX_VALUE);
    /** The CI time box: about 60 s of cases, whatever the machine's speed or load. */
    private static final long SECONDS = Long.getLong("fuzz.seconds", 60L);
    private static final String ONE_CASE = System.getProperty("fuzz.case", "");

    @TempDir static Path work;
    private static List<Seed> seeds;
    private static FuzzCampaign campaign;

    @BeforeAll
    static void loadSeeds() throws Exception {
        seeds = SeedCorpus.load(SeedCorpus.committedFixtures(), work.resolve("seeds"));
        campaign = new FuzzCampaign(seeds, work.resolve("case"),
                new Oracle(CPU_BOUND_MILLIS, WALL_BOUND_MILLIS));
    }

    @AfterAll
    static void stop() {
        campaign.close();
    }

    /** The unmutated seeds must read cleanly, or mutants of them would prove nothing. */
    @Test
    void seedsReadCleanlyWithinTheirBounds() throws Exception {
        assertThat(seeds).extracting(s -> s.shape).contains(
                SeedCorpus.Shape.H5AD, SeedCorpus.Shape.ZIP, SeedCorpus.Shape.DIRECTORY);
        try (Oracle oracle = new Oracle(CPU_BOUND_MILLIS * 5, WALL_BOUND_MILLIS)) {
            for (Seed s : seeds) {
                long bound = FuzzCampaign.ALLOCATION_BASE + FuzzCampaign.ALLOCATION_FACTOR * s.bytes;
                Verdict v = oracle.judge(() -> FuzzCampaign.read(s, s.pristine), bound);
                // two backend test files are unreadable on purpose: a layout jhdf cannot parse,
                // and shapes patched far beyond the data
                boolean mayReject = !s.anndata
                        && (s.name.contains("layout_v5") || s.name.contains("absurd_shape"));
                assertThat(v.kind).as("%s: %s", s, v)
                        .isEqualTo(mayReject ? Verdict.Kind.REJECTED : Verdict.Kind.CLEAN);
            }
        }
    }

    @Test
    void fuzz() throws Exception {
        Path target = Paths.get("target");
        if (!ONE_CASE.isEmpty()) {
            FuzzCampaign.Mutation m = campaign.mutation(Long.parseLong(ONE_CASE));
            Verdict v = campaign.apply(m);
            System.out.println("case " + ONE_CASE + ", " + m + ": " + v);
            if (v.failure != null) {
                v.failure.printStackTrace();
            }
            if (v.isFinding()) {
                // saved like a campaign's finding, ready to be committed as a regression seed
                FuzzCampaign.save(target.resolve("fuzz-findings").resolve("case-" + ONE_CASE), m,
                        Long.parseLong(ONE_CASE), v);
            }
            assertThat(v.isFinding()).as("case %s, %s: %s", ONE_CASE, m, v).isFalse();
            return;
        }
        // printed first, so that even a run that dies (an OutOfMemoryError) names its seed
        System.out.println("reader fuzzing: seed " + SEED + (FRESH_SEED ? " (fresh)" : "") + ", up to "
                + SECONDS + " s; the run repeats with -Dfuzz.seed=" + SEED);
        FuzzCampaign.Result r = campaign.run(SEED, CASES, SECONDS * 1000, target.resolve("fuzz-findings"));
        String report = "seed " + SEED + ": " + r;
        Files.createDirectories(target);
        Files.writeString(target.resolve("fuzz-report.txt"), report);
        System.out.println("reader fuzzing, " + report.lines().findFirst().orElse(""));
        if (!r.findings.isEmpty()) {
            StringBuilder replay = new StringBuilder("reader fuzzing (seed " + SEED + ") found "
                    + r.findings.size() + " kind(s) of failure in " + r.cases + " cases. Replay each,"
                    + " fix it, and commit its saved input (target/fuzz-findings/finding-N) under"
                    + " src/test/resources/fuzz/regressions:\n");
            r.firstCase.forEach((sig, c) -> replay.append("  ").append(FuzzCampaign.replayCommand(c))
                    .append("\n      ").append(sig).append('\n'));
            System.out.println(replay);
            assertThat(r.findings).as(replay + "\n" + report).isEmpty();
        }
        assertThat(r.cases).as(report).isGreaterThan(0);
    }
}
