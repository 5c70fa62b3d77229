package io.github.flinkanndata.source.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.testutil.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link CellBatchSerializer} round trips, its formats 1 and 2 pinned in {@code
 * src/test/resources/serializer-snapshots/cell-batch-v1.bin} and {@code cell-batch-v2.bin}
 * (written by the first run of the build that wrote that format if missing; commit them, never
 * overwrite them) and checked against literals, and {@link CellBatchBuilder}'s layout checked
 * against the samples it was built from.
 */
class CellBatchSerializerTest {
    private static final Path V1 = Path.of("src", "test", "resources", "serializer-snapshots", "cell-batch-v1.bin");
    private static final Path V2 = Path.of("src", "test", "resources", "serializer-snapshots", "cell-batch-v2.bin");

    /** Two cells: CSR X, a dense obsm entry one cell's store lacks, an encoded and a raw obs key. */
    static CellBatch literal() {
        Map<String, MatrixBlock> matrices = new LinkedHashMap<>();
        matrices.put("X", new MatrixBlock(new int[] {0, 2, 3}, new int[] {1, 4, 0}, new float[] {1.5f, -2f, 7f},
                new int[] {5, 5}, null));
        Map<String, MatrixBlock> obsm = new LinkedHashMap<>();
        obsm.put("X_pca", new MatrixBlock(new int[] {0, 2, 2}, null, new float[] {0.25f, 0.5f}, new int[] {2, 0},
                new boolean[] {true, false}));
        Map<String, Object[]> obs = new LinkedHashMap<>();
        obs.put("cell_type", new Object[] {3, -1});
        obs.put("donor", new Object[] {"d1", Missing.MISSING});
        return new CellBatch(2, new long[] {10, 42}, new int[] {0, 1}, new long[] {10, 7}, matrices, obsm, obs);
    }

    static byte[] bytes(CellBatch b) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        CellBatchSerializer.INSTANCE.serialize(b, out);
        return out.getCopyOfBuffer();
    }

    static CellBatch read(byte[] bytes) throws IOException {
        return CellBatchSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
    }

    private static byte[] pinned() throws IOException {
        return Files.readAllBytes(V1);
    }

    private static byte[] pinnedV2() throws IOException {
        if (!Files.exists(V2)) {
            Files.createDirectories(V2.getParent());
            Files.write(V2, bytes(literal()));
        }
        return Files.readAllBytes(V2);
    }

    @Test
    void readsPinnedFormat1FieldByField() throws IOException {
        assertFields(read(pinned()));
    }

    @Test
    void readsPinnedFormat2FieldByField() throws IOException {
        assertFields(read(pinnedV2()));
    }

    private static void assertFields(CellBatch b) {
        assertThat(b.epoch()).isEqualTo(2);
        assertThat(b.size()).isEqualTo(2);
        assertThat(b.globalIndex()).containsExactly(10, 42);
        assertThat(b.storeIndex()).containsExactly(0, 1);
        assertThat(b.row()).containsExactly(10, 7);
        MatrixBlock x = b.matrix("X");
        assertThat(x.isSparse()).isTrue();
        assertThat(x.denseRow(0)).containsExactly(0f, 1.5f, 0f, 0f, -2f);
        assertThat(x.denseRow(1)).containsExactly(7f, 0f, 0f, 0f, 0f);
        MatrixBlock pca = b.obsm().get("X_pca");
        assertThat(pca.isSparse()).isFalse();
        assertThat(pca.present(0)).isTrue();
        assertThat(pca.present(1)).isFalse();
        assertThat(pca.denseRow(0)).containsExactly(0.25f, 0.5f);
        assertThat(b.obs().get("cell_type")).containsExactly(3, -1);
        assertThat(b.obs().get("donor")).containsExactly("d1", Missing.MISSING);
        assertThat(b.keys()).containsExactly("X", "obsm_X_pca", "cell_type", "donor");
        assertThat(b).isEqualTo(literal());
    }

    @Test
    void writesFormat2ExactlyAsPinned() throws IOException {
        assertThat(bytes(literal())).isEqualTo(pinnedV2());
    }

    /**
     * Format 2 is format 1 with the format byte 2 and every array little-endian: the same length,
     * the same single values, and the first array (global indices 10 and 42) byte-reversed.
     */
    @Test
    void format2DiffersFromFormat1InArrayByteOrderOnly() throws IOException {
        byte[] v1 = pinned();
        byte[] v2 = bytes(literal());
        assertThat(v2).hasSize(v1.length);
        assertThat(v1[0]).isEqualTo((byte) 1);
        assertThat(v2[0]).isEqualTo((byte) 2);
        // epoch 2 and n = 2, big-endian ints in both
        assertThat(java.util.Arrays.copyOfRange(v2, 1, 9)).containsExactly(0, 0, 0, 2, 0, 0, 0, 2);
        assertThat(java.util.Arrays.copyOfRange(v1, 1, 9)).containsExactly(0, 0, 0, 2, 0, 0, 0, 2);
        assertThat(java.util.Arrays.copyOfRange(v2, 9, 25)).containsExactly(10, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0);
        assertThat(java.util.Arrays.copyOfRange(v1, 9, 25)).containsExactly(0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 42);
    }

    @Test
    void refusesAnUnknownFormatAndTruncatedBytes() throws IOException {
        byte[] b = pinned().clone();
        b[0] = 9;
        assertThatThrownBy(() -> read(b)).isInstanceOf(IOException.class).hasMessageContaining("format 9");
        byte[] cut = java.util.Arrays.copyOf(pinned(), pinned().length - 5);
        assertThatThrownBy(() -> read(cut)).isInstanceOf(IOException.class);
    }

    /** Built from real samples in both forms, each row equals its sample's, and survives a round trip. */
    @Test
    void batchesOfRealSamplesMatchTheirSamplesAndRoundTrip() throws Exception {
        String store = TestData.realStore("anndataR/example.h5ad").toString();
        CollectionOptions o = CollectionOptions.builder(store).layersKeys("X", "dense_counts")
                .obsmKeys("X_pca").obsKeys("leiden", "Float").encodeLabels(List.of("leiden")).build();
        try (AnnDataCollection c = AnnDataCollection.open(o)) {
            for (boolean sparse : new boolean[] {true, false}) {
                List<Sample> samples = c.getRange(0, c.size(), sparse);
                CellBatchBuilder builder = new CellBatchBuilder(o.layersKeys(), o.obsmKeys(), o.obsKeys(), sparse);
                CellBatch b = builder.build(4, samples, 3, 20);
                assertThat(b.size()).isEqualTo(17);
                assertThat(b.epoch()).isEqualTo(4);
                for (int i = 0; i < b.size(); i++) {
                    Sample s = samples.get(3 + i);
                    assertThat(b.globalIndex()[i]).isEqualTo(s.index());
                    assertThat(b.row()[i]).isEqualTo(s.row());
                    for (String k : o.layersKeys()) {
                        assertThat(b.matrix(k).isSparse()).isEqualTo(sparse);
                        assertThat(b.matrix(k).denseRow(i)).as("%s row %d", k, i).containsExactly(floats(s.layer(k)));
                    }
                    assertThat(b.obsm().get("X_pca").denseRow(i)).containsExactly(floats(s.obsm("X_pca")));
                    assertThat(b.obs().get("leiden")[i]).isEqualTo(s.obs("leiden"));
                    assertThat(b.obs().get("Float")[i]).isEqualTo(s.obs("Float"));
                }
                assertThat(read(bytes(b))).isEqualTo(b);
            }
        }
    }

    private static float[] floats(MatrixRow r) {
        double[] d = r.toDoubles();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
