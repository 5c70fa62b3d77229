package io.github.flinkanndata.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's side of shared-memory slots, with the rank played by the test: it reads a slot's
 * file as an Arrow stream and releases slots by writing generations into the control file.
 */
class SharedSlotsTest {
    private static final Schema SCHEMA = new Schema(List.of(
            new Field("v", FieldType.notNullable(new ArrowType.Int(32, true)), null)));

    @TempDir Path dir;
    private BufferAllocator allocator;
    private VectorSchemaRoot root;
    private final Map<Path, MappedByteBuffer> mapped = new HashMap<>();

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
        root = VectorSchemaRoot.create(SCHEMA, allocator);
    }

    @AfterEach
    void tearDown() {
        root.close();
        allocator.close();
    }

    private void fill(int n, int base) {
        IntVector v = (IntVector) root.getVector("v");
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
            v.set(i, base + i);
        }
        v.setValueCount(n);
        root.setRowCount(n);
    }

    /**
     * The values of the batch a slot holds, read as the rank reads it: one Arrow stream of the
     * first len bytes of the file, mapped when first named and kept mapped (the name may go).
     */
    private int[] read(SharedSlots.Written w) throws IOException {
        MappedByteBuffer m = mapped.get(w.file());
        if (m == null) {
            try (FileChannel ch = FileChannel.open(w.file(), StandardOpenOption.READ)) {
                m = ch.map(FileChannel.MapMode.READ_ONLY, 0, w.size());
            }
            mapped.put(w.file(), m);
        }
        byte[] bytes = new byte[(int) w.length()];
        m.get(0, bytes);
        try (BufferAllocator a = new RootAllocator();
                ArrowStreamReader r = new ArrowStreamReader(new ByteArrayInputStream(bytes), a)) {
            assertThat(r.loadNextBatch()).isTrue();
            IntVector v = (IntVector) r.getVectorSchemaRoot().getVector("v");
            int[] out = new int[v.getValueCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = v.get(i);
            }
            assertThat(r.loadNextBatch()).as("one batch, then the end of the stream").isFalse();
            return out;
        }
    }

    private static void release(SharedSlots ring, int slot, long gen) throws IOException {
        try (FileChannel ch = FileChannel.open(ring.control(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8L * ring.size());
            m.order(ByteOrder.LITTLE_ENDIAN).putLong(slot * 8, gen);
            m.force();
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private SharedSlots.Written put(SharedSlots ring, long waitMillis) throws IOException {
        return ring.put(root, waitMillis, () -> false);
    }

    @Test
    void aSlotHoldsTheBatchAsAnArrowStreamAndIsWrittenAgainOnlyAfterTheRankReleasedIt() throws IOException {
        try (SharedSlots ring = new SharedSlots(dir, "ring", 2)) {
            fill(5, 100);
            SharedSlots.Written a = put(ring, 0);
            fill(3, 200);
            SharedSlots.Written b = put(ring, 0);
            assertThat(new int[] {a.slot(), b.slot()}).containsExactly(0, 1);
            assertThat(new long[] {a.gen(), b.gen()}).containsExactly(1, 2);
            assertThat(read(a)).containsExactly(100, 101, 102, 103, 104);
            assertThat(read(b)).containsExactly(200, 201, 202);
            assertThat(a.json(ring)).contains("\"slot\":0", "\"gen\":1", "\"len\":" + a.length(), "\"slots\":2");

            fill(4, 300);
            assertThat(put(ring, 30)).as("both slots held by the rank").isNull();
            assertThat(read(a)).as("a held slot keeps its batch").containsExactly(100, 101, 102, 103, 104);

            release(ring, 1, b.gen());
            SharedSlots.Written c = put(ring, 0);
            assertThat(c.slot()).isEqualTo(1);
            assertThat(c.gen()).isEqualTo(3);
            assertThat(read(c)).containsExactly(300, 301, 302, 303);
            assertThat(read(a)).containsExactly(100, 101, 102, 103, 104);
            // the release proved the rank maps the control file and slot 1's file: their names are gone
            assertThat(files()).containsExactly("ring-0-0");
        }
        assertThat(files()).as("closing removes what is still named").isEmpty();
    }

    @Test
    void slotsWhoseMessagesTheRankNeverSawAreReclaimed() throws IOException {
        try (SharedSlots ring = new SharedSlots(dir, "ring", 3)) {
            fill(2, 0);
            put(ring, 0);
            put(ring, 0);
            put(ring, 0);
            assertThat(put(ring, 0)).isNull();
            ring.reclaimAfter(1); // the stream broke after the first message
            SharedSlots.Written w = put(ring, 0);
            assertThat(w.slot()).isEqualTo(1);
            assertThat(put(ring, 0).slot()).isEqualTo(2);
            assertThat(put(ring, 0)).as("slot 0 is still the rank's").isNull();
        }
    }

    @Test
    void aBatchLargerThanItsSlotGetsANewFile() throws IOException {
        try (SharedSlots ring = new SharedSlots(dir, "ring", 1)) {
            fill(10, 0);
            SharedSlots.Written small = put(ring, 0);
            release(ring, 0, small.gen());
            fill(1_000_000, 7);
            SharedSlots.Written big = put(ring, 0);
            assertThat(big.file()).isNotEqualTo(small.file());
            assertThat(big.size()).isGreaterThan(4_000_000L).isGreaterThan(small.size());
            int[] got = read(big);
            assertThat(got).hasSize(1_000_000);
            assertThat(got[0]).isEqualTo(7);
            assertThat(got[999_999]).isEqualTo(1_000_006);
            assertThat(files()).containsExactly(big.file().getFileName().toString());
        }
    }

    @Test
    void anAttemptRemovesTheFilesOfEarlierAttemptsOfItsSubtaskAndProbesWithANonce() throws IOException {
        Files.writeString(dir.resolve("anndata-serve-run00000-0-0.probe"), "old");
        Files.writeString(dir.resolve("anndata-serve-run00000-0-0-r0-0-1-1"), "old slot");
        Files.writeString(dir.resolve("anndata-serve-run00000-1-0.probe"), "another subtask");
        try (SharedMemory shm = SharedMemory.open(dir, "run00000", 0, 1)) {
            assertThat(shm).isNotNull();
            assertThat(files()).containsExactly("anndata-serve-run00000-0-1.probe", "anndata-serve-run00000-1-0.probe");
            ObjectNode node = new ObjectMapper().createObjectNode();
            shm.describe(node);
            String nonce = node.path("shm").path("nonce").asText();
            assertThat(nonce).hasSizeGreaterThan(16);
            assertThat(Files.readString(Path.of(node.path("shm").path("probe").asText()), StandardCharsets.UTF_8))
                    .isEqualTo(nonce);
            try (SharedSlots ring = shm.ring(3, 4)) {
                assertThat(ring.name()).isEqualTo("anndata-serve-run00000-0-1-r3-0");
                assertThat(ring.control().getFileName().toString()).isEqualTo("anndata-serve-run00000-0-1-r3-0.ctl");
            }
        }
        assertThat(files()).containsExactly("anndata-serve-run00000-1-0.probe");
    }
}
