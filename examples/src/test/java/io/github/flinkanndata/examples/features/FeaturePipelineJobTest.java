package io.github.flinkanndata.examples.features;

import static io.github.flinkanndata.examples.features.FeaturePipelineITCase.store;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.examples.common.JobRuns;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option checks of {@code anndata-cli features}: they fail before any job starts. */
class FeaturePipelineJobTest {
    @TempDir Path tmp;

    private String fails(String... extra) {
        String[] args = new String[extra.length + 3];
        args[0] = store("mixed_m1.h5ad");
        args[1] = "--output-dir";
        args[2] = tmp.resolve("out").toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = JobRuns.run(new FeaturePipelineJob(), args, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as("exit code; out: %s", out).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: ");
        return err.toString();
    }

    @Test
    void badNumbersAreRefused() {
        assertThat(fails("--hvg-top", "0")).contains("--hvg-top must be > 0, was 0");
        assertThat(fails("--hvg-every", "-1")).contains("--hvg-every must be >= 0, was -1");
        assertThat(fails("--target-sum", "0")).contains("--target-sum must be a positive number");
        assertThat(fails("--parallelism", "0")).contains("--parallelism must be > 0, was 0");
        assertThat(Files.exists(tmp.resolve("out"))).as("nothing written").isFalse();
    }

    @Test
    void rawXIsRefused() {
        assertThat(fails("--layer", "raw.X")).contains("raw has its own genes");
    }

    @Test
    void storesWithDifferentGenesNeedAJoin() {
        assertThat(fails(store("mixed_m2_v2.zarr"), "--join", "none")).contains("mixed_m2_v2.zarr differs");
    }

    @Test
    void aLabelKeyNoStoreHasIsRefused() {
        assertThat(fails("--label-key", "celltype")).contains("no store has the obs column 'celltype'");
    }

    @Test
    void outputDirIsRequired() {
        StringWriter err = new StringWriter();
        int code = JobRuns.run(new FeaturePipelineJob(), new String[] {store("mixed_m1.h5ad")}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--output-dir");
    }
}
