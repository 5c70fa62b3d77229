package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Version 2 of {@link CollectionPlanCodec} (a growing collection's plan with unmapped genes),
 * pinned in {@code src/test/resources/plan-codec/v2-growing.bin} and checked field by field
 * against literals. The file is written by the first run if it is missing (commit it; never
 * overwrite it).
 */
class PlanCodecV2PinnedBytesTest {
    private static final Path FILE = Path.of("src", "test", "resources", "plan-codec", "v2-growing.bin");

    /** Inner form over genes g0, g1, g2 (store 1 lacks g1); the encoder grew append-only. */
    static CollectionPlan growing() {
        CollectionOptions o = CollectionOptions.builder("first.h5ad", "joined.zarr").obsKeys("cell_type")
                .join(Join.INNER).build();
        List<StorePlan> stores = List.of(
                new StorePlan("first.h5ad", 4, null, 3, new int[] {0, 1, 2}, new boolean[] {true}, new boolean[0],
                        new boolean[] {true}),
                new StorePlan("joined.zarr", 2, null, 5, new int[] {4, -1, 0}, new boolean[] {true},
                        new boolean[0], new boolean[] {true}));
        Map<String, LabelEncoder> encoders = new LinkedHashMap<>();
        encoders.put("cell_type", LabelEncoder.of("cell_type", new Object[] {"T", "B", "NK"}, new int[] {0, 1, 2}));
        return new CollectionPlan(o, stores, Join.INNER, List.of("g0", "g1", "g2"), encoders);
    }

    private static byte[] pinned() throws IOException {
        if (!Files.exists(FILE)) {
            Files.createDirectories(FILE.getParent());
            Files.write(FILE, CollectionPlanCodec.toBytes(growing(), false));
        }
        return Files.readAllBytes(FILE);
    }

    @Test
    void readsPinnedVersion2FieldByField() throws IOException {
        byte[] bytes = pinned();
        assertThat(ByteBuffer.wrap(bytes).getInt(4)).isEqualTo(2);
        CollectionPlan p = CollectionPlanCodec.fromBytes(bytes);
        assertThat(p.options().paths()).containsExactly("first.h5ad", "joined.zarr");
        assertThat(p.effectiveJoin()).isEqualTo(Join.INNER);
        assertThat(p.varJoint()).containsExactly("g0", "g1", "g2");
        assertThat(p.store(0).varIndices()).containsExactly(0, 1, 2);
        assertThat(p.store(1).varIndices()).containsExactly(4, -1, 0);
        assertThat(p.store(1).xCols()).isEqualTo(5);
        assertThat(p.size()).isEqualTo(6);
        assertThat(p.encoders().get("cell_type").asMap())
                .containsExactly(Map.entry("T", 0), Map.entry("B", 1), Map.entry("NK", 2));
    }

    @Test
    void writesVersion2ExactlyAsPinned() throws IOException {
        assertThat(CollectionPlanCodec.toBytes(growing(), false)).isEqualTo(pinned());
    }

    @Test
    void version1RefusesUnmappedGenesAndVersion2RequiresOne() throws IOException {
        byte[] v2 = pinned();
        byte[] asV1 = v2.clone();
        ByteBuffer.wrap(asV1).putInt(4, 1);
        assertThatThrownBy(() -> CollectionPlanCodec.fromBytes(asV1)).isInstanceOf(IOException.class)
                .hasMessageContaining("var index 1 is -1");
        byte[] v1 = CollectionPlanCodec.toBytes(PlanCodecPinnedBytesTest.innerUnfiltered(), true);
        ByteBuffer.wrap(v1).putInt(4, 2);
        assertThatThrownBy(() -> CollectionPlanCodec.fromBytes(v1)).isInstanceOf(IOException.class)
                .hasMessageContaining("without an unmapped var index");
    }
}
