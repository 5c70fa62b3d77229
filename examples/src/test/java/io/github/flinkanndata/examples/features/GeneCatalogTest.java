package io.github.flinkanndata.examples.features;

import static io.github.flinkanndata.examples.features.FeaturePipelineITCase.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.examples.common.JobRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gene names of the rows and the mitochondrial genes among them. */
class GeneCatalogTest {
    private static GeneCatalog catalog(String join, String prefix, String... paths) throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).join(join).build())) {
            return GeneCatalog.of(JobRuntime.local(), c, List.of(paths), prefix);
        }
    }

    @Test
    void mitoPrefixIgnoresCase() {
        assertThat(GeneCatalog.isMito("MT-ND1", "MT-")).isTrue();
        assertThat(GeneCatalog.isMito("mt-Co1", "MT-")).isTrue();
        assertThat(GeneCatalog.isMito("Mt-Atp6", "mt-")).isTrue();
        assertThat(GeneCatalog.isMito("MTOR", "MT-")).isFalse();
        assertThat(GeneCatalog.isMito("MT", "MT-")).isFalse();
        assertThat(GeneCatalog.isMito("ND1", "")).as("an empty prefix matches nothing").isFalse();
    }

    @Test
    void theBundledPbmcStoreHasOneMitochondrialGene() throws Exception {
        Path pbmc = Paths.get("data", "pbmc68k_reduced.h5ad").toAbsolutePath();
        assertThat(Files.exists(pbmc)).as("%s", pbmc).isTrue();
        GeneCatalog genes = catalog("inner", "MT-", pbmc.toString());
        assertThat(genes.size()).isEqualTo(765);
        assertThat(genes.hasMito()).isTrue();
        List<String> mito = new ArrayList<>();
        for (int j = 0; j < genes.size(); j++) {
            if (genes.isMito(j)) {
                mito.add(genes.name(j));
            }
        }
        assertThat(mito).containsExactly("MT-ND3");
    }

    @Test
    void underAJoinTheJointVarList() throws Exception {
        GeneCatalog genes = catalog("outer", "MT-", store("mixed_m1.h5ad"), store("mixed_m3_v3_sharded.zarr"));
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(
                store("mixed_m1.h5ad"), store("mixed_m3_v3_sharded.zarr")).join("outer").build())) {
            assertThat(genes.names()).isEqualTo(c.varJoint());
        }
        assertThat(genes.hasMito()).isFalse();
    }

    @Test
    void withoutAJoinTheStoresOwnGenesWhichMustAgree() throws Exception {
        GeneCatalog one = catalog("none", "g0", store("mixed_m1.h5ad"));
        assertThat(one.names()).startsWith("Ｇ21", "G16", "Gène7", "G01").hasSize(30);
        assertThat(one.mitoCount()).isEqualTo(9); // G00..G09 but G07 (spelt Gène7)

        GeneCatalog twice = catalog("none", "MT-", store("mixed_m1.h5ad"), store("mixed_m1.h5ad"));
        assertThat(twice.names()).isEqualTo(one.names());

        assertThatThrownBy(() -> catalog("none", "MT-", store("mixed_m1.h5ad"), store("mixed_m2_v2.zarr")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mixed_m2_v2.zarr differs").hasMessageContaining("--join inner");
    }
}
