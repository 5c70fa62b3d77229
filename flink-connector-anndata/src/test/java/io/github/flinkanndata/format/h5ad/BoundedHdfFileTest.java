package io.github.flinkanndata.format.h5ad;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.testutil.Allocation;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BoundedHdfFile}: jhdf reads past the end of the file fail before they allocate, and the
 * file otherwise behaves as one opened by jhdf's Path constructor.
 */
class BoundedHdfFileTest {
    @TempDir Path tmp;

    /**
     * The fuzzer's first finding (regression seed {@code h5ad-object-header-allocation}): an
     * object header of rich_none.h5ad whose mutated size made jhdf allocate 256 MiB.
     */
    @Test
    void aStructureDeclaredPastTheEndFailsWithoutAllocatingIt() throws Exception {
        Path input = tmp.resolve("mutated.h5ad");
        Files.copy(Paths.get("src", "test", "resources", "fuzz", "regressions",
                "h5ad-object-header-allocation", "mutated-0"), input);
        Allocation.Measured m = Allocation.measure(() -> AnnDataStore.open(input).close());
        assertThat(m.thrown).isInstanceOf(AnnDataFormatException.class)
                .hasMessageContaining("lies outside the file");
        assertThat(m.bytes).isLessThan(32L << 20);
    }

    @Test
    void readsAndClosesLikeThePathConstructor() throws Exception {
        Path fixture = Paths.get("src", "test", "resources", "fixtures", "h5ad", "rich_gzip.h5ad");
        Object expected;
        try (HdfFile plain = new HdfFile(fixture)) {
            expected = ((Dataset) plain.getByPath("obs/f64")).getData();
        }
        try (HdfFile bounded = BoundedHdfFile.open(fixture)) {
            assertThat(bounded.getFileAsPath()).isEqualTo(fixture);
            assertThat(((Dataset) bounded.getByPath("obs/f64")).getData()).isEqualTo(expected);
        }
    }
}
