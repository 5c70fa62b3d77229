package io.github.flinkanndata.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Elements must agree with the axes they are aligned with, as anndata requires: a layer is n_obs x
 * n_vars, obsm/varm entries have n_obs/n_vars rows, obsp/varp entries are square over their axis,
 * raw/X has n_obs rows and raw/var's length in columns. A misaligned element is refused when it is
 * opened (and so while a collection is planned), naming the store, the element and both sizes.
 * The h5ad stores are written by {@link H5adWriter}; the zarr ones are fixtures with an edited
 * shape.
 */
class AnnDataShapeChecksTest {
    private static final int CELLS = 5;
    private static final int GENES = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private Path store(Consumer<H5adWriter> elements) {
        Path p = tmp.resolve("store-" + System.nanoTime() + ".h5ad");
        try (H5adWriter w = H5adWriter.create(p, CELLS, GENES)) {
            elements.accept(w);
        }
        return p;
    }

    @Test
    void alignedElementsOfEveryKindOpen() throws Exception {
        Path p = store(w -> w.dense("layers", "dense", CELLS, GENES)
                .csr("layers", "sparse", CELLS, GENES)
                .dense("obsm", "X_wide", CELLS, 7) // obsm entries have any number of columns
                .csr("obsm", "X_sparse", CELLS, 11)
                .dense("obsp", "distances", CELLS, CELLS)
                .csr("obsp", "connectivities", CELLS, CELLS)
                .dense("varm", "PCs", GENES, 2)
                .dense("varp", "corr", GENES, GENES)
                .raw(CELLS, GENES + 2, GENES + 2)); // raw has variables of its own
        try (AnnDataStore s = AnnDataStore.open(p)) {
            for (String key : List.of("layers/dense", "layers/sparse", "obsm/X_wide", "obsm/X_sparse",
                    "obsp/distances", "obsp/connectivities", "varm/PCs", "varp/corr", "raw.X")) {
                assertThat(s.matrix(key)).as(key).isNotNull();
            }
            assertThat(s.matrix("layers/dense").readRows(0, CELLS).rows()).isEqualTo(CELLS);
        }
    }

    static Stream<Arguments> misaligned() {
        return Stream.of(
                Arguments.of("layers/wide", "layers/wide", "4 columns but var has 3",
                        (Consumer<H5adWriter>) w -> w.dense("layers", "wide", CELLS, GENES + 1)),
                Arguments.of("layers/tall", "layers/tall", "6 rows but obs has 5",
                        (Consumer<H5adWriter>) w -> w.dense("layers", "tall", CELLS + 1, GENES)),
                Arguments.of("layers/sparse", "layers/sparse", "8 columns but var has 3",
                        (Consumer<H5adWriter>) w -> w.csr("layers", "sparse", CELLS, GENES + 5)),
                Arguments.of("layers/narrow", "layers/narrow", "2 columns but var has 3",
                        (Consumer<H5adWriter>) w -> w.dense("layers", "narrow", CELLS, GENES - 1)),
                Arguments.of("obsm/X_pca", "obsm/X_pca", "4 rows but obs has 5",
                        (Consumer<H5adWriter>) w -> w.dense("obsm", "X_pca", CELLS - 1, 2)),
                Arguments.of("obsm/X_sparse", "obsm/X_sparse", "9 rows but obs has 5",
                        (Consumer<H5adWriter>) w -> w.csr("obsm", "X_sparse", CELLS + 4, 2)),
                Arguments.of("obsp/distances", "obsp/distances", "6 columns but obs has 5",
                        (Consumer<H5adWriter>) w -> w.dense("obsp", "distances", CELLS, CELLS + 1)),
                Arguments.of("obsp/connectivities", "obsp/connectivities", "4 rows but obs has 5",
                        (Consumer<H5adWriter>) w -> w.csr("obsp", "connectivities", CELLS - 1, CELLS)),
                Arguments.of("varm/PCs", "varm/PCs", "4 rows but var has 3",
                        (Consumer<H5adWriter>) w -> w.dense("varm", "PCs", GENES + 1, 2)),
                Arguments.of("varp/corr", "varp/corr", "2 columns but var has 3",
                        (Consumer<H5adWriter>) w -> w.dense("varp", "corr", GENES, GENES - 1)),
                Arguments.of("raw.X", "raw/X", "6 columns but raw/var has 4",
                        (Consumer<H5adWriter>) w -> w.raw(CELLS, 6, 4)),
                Arguments.of("raw.X", "raw/X", "7 rows but obs has 5",
                        (Consumer<H5adWriter>) w -> w.raw(CELLS + 2, 4, 4)));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("misaligned")
    void misalignedElementsAreRefusedWhenOpened(String key, String element, String sizes,
            Consumer<H5adWriter> elements) throws Exception {
        Path p = store(elements);
        try (AnnDataStore s = AnnDataStore.open(p)) {
            assertThatThrownBy(() -> s.matrix(key))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining(sizes)
                    .satisfies(e -> assertThat(((AnnDataFormatException) e).element()).isEqualTo(element))
                    .satisfies(e -> assertThat(((AnnDataFormatException) e).store()).isEqualTo(s.location()));
        }
    }

    /** The collection asks for its layers while planning: the store fails there, no row read. */
    @Test
    void aCollectionRefusesAMisalignedLayerWhilePlanning() throws Exception {
        Path p = store(w -> w.dense("layers", "wide", CELLS, GENES + 1));
        CollectionOptions options = CollectionOptions.builder(p).layersKeys(List.of("X", "wide")).build();
        assertThatThrownBy(() -> AnnDataCollection.open(options).close())
                .isInstanceOf(AnnDataFormatException.class)
                .hasMessageContaining("element 'layers/wide'")
                .hasMessageContaining("4 columns but var has 3");
        // the same store without the misaligned layer is read as usual
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(p).build())) {
            assertThat(c.getRange(0, CELLS)).hasSize(CELLS);
        }
    }

    // ---- zarr: the same checks, on fixtures whose metadata declares another shape

    /** A copy of a fixture store under the name {@code copy}. */
    private Path zarrFixture(String name, String copy) throws IOException {
        Path from = Paths.get("src", "test", "resources", "fixtures", name);
        Path to = tmp.resolve(copy);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }

    /** Sets a v2 array's shape in its .zarray and in the consolidated .zmetadata. */
    private static void setShape(Path store, String node, long... shape) throws IOException {
        Path file = store.resolve(node).resolve(".zarray");
        ObjectNode meta = (ObjectNode) JSON.readTree(file.toFile());
        putShape(meta, shape);
        Files.writeString(file, meta.toString());
        Path consolidated = store.resolve(".zmetadata");
        ObjectNode root = (ObjectNode) JSON.readTree(consolidated.toFile());
        putShape((ObjectNode) root.get("metadata").get(node + "/.zarray"), shape);
        Files.writeString(consolidated, root.toString());
    }

    private static void putShape(ObjectNode meta, long... shape) {
        com.fasterxml.jackson.databind.node.ArrayNode a = meta.putArray("shape");
        for (long d : shape) {
            a.add(d);
        }
    }

    @Test
    void zarrLayersAndObsmEntriesAreCheckedToo() throws Exception {
        Path layer = zarrFixture("zarr2/rich_default.zarr", "layer.zarr");
        setShape(layer, "layers/counts", 50, 41);
        Path obsm = zarrFixture("zarr2/rich_default.zarr", "obsm.zarr");
        setShape(obsm, "obsm/X_pca", 60, 3);
        try (AnnDataStore s = AnnDataStore.open(layer)) {
            assertThatThrownBy(() -> s.matrix("layers/counts"))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("element 'layers/counts'")
                    .hasMessageContaining("41 columns but var has 40");
            assertThat(s.matrix("obsm/X_pca")).isNotNull();
        }
        try (AnnDataStore s = AnnDataStore.open(obsm)) {
            assertThatThrownBy(() -> s.matrix("obsm/X_pca"))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("element 'obsm/X_pca'")
                    .hasMessageContaining("60 rows but obs has 50");
            assertThat(s.matrix("layers/counts")).isNotNull();
        }
    }

    /** Dense rows are read whole: a width no gene annotation reaches is refused when opened. */
    @Test
    void denseElementsWiderThanAnyPlausibleGeneCountAreRefused() throws Exception {
        Path store = zarrFixture("zarr2/rich_default.zarr", "wide.zarr");
        long wide = MatrixElement.MAX_DENSE_WIDTH + 1;
        setShape(store, "obsm/X_pca", 50, wide); // chunks beyond the stored ones read as fill
        try (AnnDataStore s = AnnDataStore.open(store)) {
            assertThatThrownBy(() -> s.matrix("obsm/X_pca"))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("element 'obsm/X_pca'")
                    .hasMessageContaining("dense matrix of " + wide + " columns");
        }
        setShape(store, "obsm/X_pca", 50, MatrixElement.MAX_DENSE_WIDTH);
        try (AnnDataStore s = AnnDataStore.open(store)) {
            assertThat(s.matrix("obsm/X_pca").cols()).isEqualTo(MatrixElement.MAX_DENSE_WIDTH);
        }
    }
}
