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
 * <p>The default is the short CI run: a fixed seed and a fixed number of cases (with a time cap
 * for slow machines). The long run and single-case replay are the same test with properties:
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

    private static final long SEED = Long.getLong("fuzz.seed", 20_261_121L);
    private static final long CASES = Long.getLong("fuzz.cases", 800L);
    private static final long SECONDS = Long.getLong("fuzz.seconds", 90L);
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
        FuzzCampaign.Result r = campaign.run(SEED, CASES, SECONDS * 1000, target.resolve("fuzz-findings"));
        String report = "seed " + SEED + ": " + r;
        Files.createDirectories(target);
        Files.writeString(target.resolve("fuzz-report.txt"), report);
        System.out.println("reader fuzzing, " + report.lines().findFirst().orElse(""));
        assertThat(r.findings).as(report).isEmpty();
        assertThat(r.cases).as(report).isGreaterThan(0);
    }
}
