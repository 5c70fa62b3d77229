package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.M;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.ContainerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bytes written by version 1 of {@link CollectionPlanCodec}, committed under {@code
 * src/test/resources/plan-codec/}, must stay readable forever: a checkpoint taken today is
 * restored by every later build. Each file is checked field by field against the literal values
 * below, never against a plan this run builds.
 *
 * <p>The files were written once by {@link #main} (run it by hand only to add files for a
 * new version; never overwrite a released version's files):
 * <pre>
 * v1-outer-filtered-rows.bin   outerFiltered(), with kept rows
 * v1-outer-filtered-count.bin  outerFiltered(), kept counts only
 * v1-inner-unfiltered.bin      innerUnfiltered()
 * </pre>
 */
class PlanCodecPinnedBytesTest {
    static final String P0 = "/data/atlas/part_one.h5ad";
    static final String P1 = "/data/ätlas/zweiter Teil — 二.zarr";
    static final String P2 = "relative/third.h5ad";

    private static Path pinned(String name) {
        return Path.of("src", "test", "resources", "plan-codec", name);
    }

    private static CollectionPlan readPinned(String name) throws IOException {
        return CollectionPlanCodec.fromBytes(Files.readAllBytes(pinned(name)));
    }

    @Test
    void v1OuterFilteredWithKeptRows() throws IOException {
        CollectionPlan p = readPinned("v1-outer-filtered-rows.bin");
        assertOuterFiltered(p);
        assertThat(p.store(0).keptRowArray()).containsExactly(0, 3, 4);
        assertThat(p.store(1).keptRowArray()).isEmpty();
        assertThat(p.store(2).keptRowArray()).containsExactly(1);
        assertThat(p.indicesList()).hasSize(3);
    }

    @Test
    void v1OuterFilteredWithKeptCountsOnly() throws IOException {
        CollectionPlan p = readPinned("v1-outer-filtered-count.bin");
        assertOuterFiltered(p);
        for (int s = 0; s < 3; s++) {
            assertThat(p.store(s).isComplete()).isFalse();
        }
        assertThatThrownBy(() -> p.store(0).row(0)).isInstanceOf(IllegalStateException.class);
    }

    private static void assertOuterFiltered(CollectionPlan p) {
        CollectionOptions o = p.options();
        assertThat(o.paths()).containsExactly(P0, P1, P2);
        assertThat(o.layersKeys()).containsExactly("X", "raw.X");
        assertThat(o.obsKeys()).containsExactly("cell_type", "donor", "score");
        assertThat(o.obsmKeys()).containsExactly("X_pca");
        assertThat(o.obsFilter()).containsOnlyKeys("cell_type", "score");
        assertThat(o.obsFilter().get("cell_type")).containsExactly("T cell", Missing.MISSING);
        List<Object> score = o.obsFilter().get("score");
        assertThat(score).hasSize(3);
        assertThat(score.get(0)).isInstanceOf(Long.class).isEqualTo(1L);
        assertThat(score.get(1)).isInstanceOf(Double.class).isEqualTo(2.5);
        assertThat(score.get(2)).isInstanceOf(Boolean.class).isEqualTo(true);
        assertThat(o.join()).isEqualTo(Join.OUTER);
        assertThat(o.encodeKeys()).containsExactly("cell_type", "donor");
        assertThat(o.unknownLabelMap()).containsExactly(Map.entry("cell_type", "unknown"));
        assertThat(o.unknownLabelForEveryKey()).isNull();
        assertThat(o.unknownLabelFor("cell_type")).isEqualTo("unknown");
        assertThat(o.unknownLabelFor("donor")).isNull();
        assertThat(o.cacheCategories()).isFalse();
        assertThat(o.parallel()).isTrue();
        assertThat(o.dtype()).isEqualTo(OutputType.INT16);
        assertThat(o.containerOptions().chunkCacheBytes()).isEqualTo(1_234_567L);

        assertThat(p.storeCount()).isEqualTo(3);
        assertStore(p.store(0), P0, 5, 3, 3, new int[] {2, 0, 1}, new boolean[] {true, true}, new boolean[] {true},
                new boolean[] {true, true, true});
        assertStore(p.store(1), P1, 4, 0, 2, new int[] {3, 1}, new boolean[] {true, false}, new boolean[] {false},
                new boolean[] {true, false, true});
        assertStore(p.store(2), P2, 3, 1, 1, new int[] {4}, new boolean[] {true, false}, new boolean[] {false},
                new boolean[] {true, true, false});
        assertThat(p.size()).isEqualTo(4);
        assertThat(p.nObsList()).containsExactly(3, 0, 1);
        assertThat(p.storeOf(3)).isEqualTo(2);
        assertThat(p.effectiveJoin()).isEqualTo(Join.OUTER);
        assertThat(p.varJoint()).containsExactly("CD3E", "GATA1", "MYC", "TCF7", "ZNF1");
        assertThat(p.nVars()).isEqualTo(5);

        assertThat(p.encoders()).containsOnlyKeys("cell_type", "donor");
        LabelEncoder cellType = p.encoders().get("cell_type");
        assertThat(cellType.labels()).containsExactly("unknown", "B cell", "T cell");
        assertThat(cellType.asMap().values()).containsExactly(-1, 0, 1);
        assertThat(cellType.unknownLabel()).isEqualTo("unknown");
        LabelEncoder donor = p.encoders().get("donor");
        assertThat(donor.labels()).containsExactly(3.5, 7L, 12L);
        assertThat(donor.labels().get(0)).isInstanceOf(Double.class);
        assertThat(donor.labels().get(1)).isInstanceOf(Long.class);
        assertThat(donor.asMap().values()).containsExactly(0, 1, 2);
        assertThat(donor.unknownLabel()).isNull();
    }

    private static void assertStore(StorePlan s, String path, long rows, long kept, long xCols, int[] varIndices,
            boolean[] layers, boolean[] obsm, boolean[] obs) {
        assertThat(s.path()).isEqualTo(path);
        assertThat(s.rows()).isEqualTo(rows);
        assertThat(s.isFiltered()).isTrue();
        assertThat(s.keptRows()).isEqualTo(kept);
        assertThat(s.xCols()).isEqualTo(xCols);
        assertThat(s.varIndices()).isEqualTo(varIndices);
        assertThat(s.layerMask()).isEqualTo(layers);
        assertThat(s.obsmMask()).isEqualTo(obsm);
        assertThat(s.obsMask()).isEqualTo(obs);
    }

    @Test
    void v1InnerUnfiltered() throws IOException {
        CollectionPlan p = readPinned("v1-inner-unfiltered.bin");
        CollectionOptions o = p.options();
        assertThat(o.paths()).containsExactly("a.h5ad", "b.zarr");
        assertThat(o.layersKeys()).containsExactly("X");
        assertThat(o.obsKeys()).isNull();
        assertThat(o.obsmKeys()).isNull();
        assertThat(o.obsFilter()).isNull();
        assertThat(o.join()).isEqualTo(Join.INNER);
        assertThat(o.encodeKeys()).isEmpty();
        assertThat(o.unknownLabelMap()).isNull();
        assertThat(o.unknownLabelForEveryKey()).isInstanceOf(Long.class).isEqualTo(42L);
        assertThat(o.cacheCategories()).isTrue();
        assertThat(o.parallel()).isFalse();
        assertThat(o.dtype()).isNull();
        assertThat(o.containerOptions().chunkCacheBytes()).isEqualTo(ContainerOptions.DEFAULT_CHUNK_CACHE_BYTES);

        assertThat(p.storeCount()).isEqualTo(2);
        StorePlan a = p.store(0);
        assertThat(a.path()).isEqualTo("a.h5ad");
        assertThat(a.rows()).isEqualTo(10);
        assertThat(a.isFiltered()).isFalse();
        assertThat(a.keptRows()).isEqualTo(10);
        assertThat(a.row(7)).isEqualTo(7);
        assertThat(a.xCols()).isEqualTo(4);
        assertThat(a.varIndices()).containsExactly(1, 3);
        assertThat(a.layerMask()).containsExactly(true);
        assertThat(a.obsmMask()).isEmpty();
        assertThat(a.obsMask()).isEmpty();
        StorePlan b = p.store(1);
        assertThat(b.path()).isEqualTo("b.zarr");
        assertThat(b.rows()).isEqualTo(7);
        assertThat(b.keptRows()).isEqualTo(7);
        assertThat(b.xCols()).isEqualTo(3);
        assertThat(b.varIndices()).containsExactly(0, 2);
        assertThat(p.size()).isEqualTo(17);
        assertThat(p.effectiveJoin()).isEqualTo(Join.INNER);
        assertThat(p.varJoint()).containsExactly("g1", "g3");
        assertThat(p.encoders()).isEmpty();
    }

    /** While version 1 is current, the writer must still produce the pinned bytes exactly. */
    @Test
    void theCurrentWriterStillWritesVersion1() throws IOException {
        assertThat(CollectionPlanCodec.CURRENT_VERSION).as("a new version needs its own pinned files").isEqualTo(1);
        assertThat(CollectionPlanCodec.toBytes(outerFiltered(), true))
                .isEqualTo(Files.readAllBytes(pinned("v1-outer-filtered-rows.bin")));
        assertThat(CollectionPlanCodec.toBytes(outerFiltered(), false))
                .isEqualTo(Files.readAllBytes(pinned("v1-outer-filtered-count.bin")));
        assertThat(CollectionPlanCodec.toBytes(innerUnfiltered(), true))
                .isEqualTo(Files.readAllBytes(pinned("v1-inner-unfiltered.bin")));
    }

    /** A plan with every kind of value: filters, MISSING, all label types, both unknown forms. */
    static CollectionPlan outerFiltered() {
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("cell_type", List.of("T cell", M));
        filter.put("score", List.of(1, 2.5, true));
        CollectionOptions o = CollectionOptions.builder(P0, P1, P2).layersKeys("X", "raw.X")
                .obsKeys("cell_type", "donor", "score").obsmKeys("X_pca").obsFilter(filter).join(Join.OUTER)
                .encodeLabels(List.of("cell_type", "donor")).unknownLabel(Map.of("cell_type", "unknown"))
                .cacheCategories(false).parallel(true).dtype(OutputType.INT16)
                .containerOptions(ContainerOptions.defaults().withChunkCacheBytes(1_234_567)).build();
        List<StorePlan> stores = List.of(
                new StorePlan(P0, 5, new int[] {0, 3, 4}, 3, new int[] {2, 0, 1}, new boolean[] {true, true},
                        new boolean[] {true}, new boolean[] {true, true, true}),
                new StorePlan(P1, 4, new int[0], 2, new int[] {3, 1}, new boolean[] {true, false},
                        new boolean[] {false}, new boolean[] {true, false, true}),
                new StorePlan(P2, 3, new int[] {1}, 1, new int[] {4}, new boolean[] {true, false},
                        new boolean[] {false}, new boolean[] {true, true, false}));
        Map<String, LabelEncoder> encoders = new LinkedHashMap<>();
        encoders.put("cell_type", LabelEncoder.build("cell_type", List.of("B cell", "T cell", "unknown"), "unknown"));
        encoders.put("donor", LabelEncoder.build("donor", List.of(3.5, 7L, 12L), null));
        return new CollectionPlan(o, stores, Join.OUTER, List.of("CD3E", "GATA1", "MYC", "TCF7", "ZNF1"), encoders);
    }

    /** No filter, no obs, an inner join, one unknown label for every key. */
    static CollectionPlan innerUnfiltered() {
        CollectionOptions o = CollectionOptions.builder("a.h5ad", "b.zarr").unknownLabel(42).build();
        List<StorePlan> stores = List.of(
                new StorePlan("a.h5ad", 10, null, 4, new int[] {1, 3}, new boolean[] {true}, new boolean[0],
                        new boolean[0]),
                new StorePlan("b.zarr", 7, null, 3, new int[] {0, 2}, new boolean[] {true}, new boolean[0],
                        new boolean[0]));
        return new CollectionPlan(o, stores, Join.INNER, List.of("g1", "g3"), Map.of());
    }

    /** Writes the version-1 files; run by hand from the module directory, never by the tests. */
    public static void main(String[] args) throws IOException {
        Files.createDirectories(pinned("x").getParent());
        Files.write(pinned("v1-outer-filtered-rows.bin"), CollectionPlanCodec.toBytes(outerFiltered(), true));
        Files.write(pinned("v1-outer-filtered-count.bin"), CollectionPlanCodec.toBytes(outerFiltered(), false));
        Files.write(pinned("v1-inner-unfiltered.bin"), CollectionPlanCodec.toBytes(innerUnfiltered(), true));
    }
}
