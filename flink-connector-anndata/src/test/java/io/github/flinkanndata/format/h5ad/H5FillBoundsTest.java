package io.github.flinkanndata.format.h5ad;

import static io.github.flinkanndata.format.h5ad.H5Fixtures.array;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ContainerOptions;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of data the file does not store (chunks absent from the chunk index, contiguous storage
 * never allocated) allocate the slab they return and nothing else, and may take at most {@link
 * H5Array#MAX_FILL_SLOTS} of it from such data: beyond that the declared shape is refused before
 * the slab is allocated.
 */
class H5FillBoundsTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The reader fuzzer's 41 KB file: layers/ints declares 9 x 8388608, maximum 9 x 0. */
    private static final Path FINDING = Paths.get("src", "test", "resources", "fuzz", "regressions",
            "h5ad-zero-maxdim-layer-allocation", "mutated-0");

    private static final long LIMIT = H5Array.MAX_FILL_SLOTS;

    @TempDir static Path tmp;

    @BeforeAll
    static void enableAllocationCounting() {
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    private interface Read {
        Object run() throws Exception;
    }

    /** Bytes this thread allocated while running {@code r}. */
    private static long allocatedBy(Read r) throws Exception {
        long tid = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        r.run();
        return THREADS.getThreadAllocatedBytes(tid) - before;
    }

    /** absurd_shape.h5: "chunked" declares 2^40 int32 in chunks of 1024, of which 3 are stored. */
    @Test
    void absentChunksAreFilledIntoTheSlabWithoutAllocatingThem() throws Exception {
        try (H5adContainer c = H5Fixtures.openResource("absurd_shape.h5")) {
            ArrayNode chunked = array(c, "chunked");
            int n = (int) LIMIT; // 2048 absent chunks of 4 KiB each
            int[] values = (int[]) chunked.read(new long[] {1L << 30}, new int[] {n});
            assertThat(values).hasSize(n).containsOnly(0);
            long allocated = allocatedBy(() -> chunked.read(new long[] {1L << 31}, new int[] {n}));
            // the 8 MiB slab; materialising the absent chunks doubled it
            assertThat(allocated).isLessThan(4L * n + (1 << 20));
        }
    }

    @Test
    void readsNeedingMoreFillThanTheBudgetAreRefused() throws Exception {
        try (H5adContainer c = H5Fixtures.openResource("absurd_shape.h5")) {
            ArrayNode chunked = array(c, "chunked");
            long at = 1L << 30;
            long allocated = allocatedBy(() ->
                    assertThatThrownBy(() -> chunked.read(new long[] {at}, new int[] {(int) LIMIT + 1}))
                            .isInstanceOf(AnnDataFormatException.class)
                            .hasMessageContaining("element 'chunked'")
                            .hasMessageContaining("chunks absent from the chunk index")
                            .hasMessageContaining("[1099511627776]"));
            assertThat(allocated).as("refused before the slab is allocated").isLessThan(1 << 20);
            // the three stored chunks (3072 elements from 0) do not count against the budget
            int[] head = (int[]) chunked.read(new long[] {0}, new int[] {(int) LIMIT + 3072});
            assertThat(head[1024]).isEqualTo(1024 % 97);
            assertThat(head[(int) LIMIT]).isZero();
            assertThatThrownBy(() -> chunked.read(new long[] {0}, new int[] {(int) LIMIT + 3073}))
                    .isInstanceOf(AnnDataFormatException.class);
        }
    }

    /**
     * The fuzzer's file with the maximum raised to the dimensions, so that the dataspace is
     * consistent and only the never-allocated storage is left: the layer reads as fill.
     */
    private static Path consistentFinding() throws Exception {
        byte[] b = Files.readAllBytes(FINDING);
        ByteBuffer dims = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(9).putLong(8388608).putLong(9).putLong(0);
        int at = indexOf(b, dims.array());
        assertThat(at).as("the dataspace of layers/ints").isNotNegative();
        assertThat(indexOf(b, dims.array(), at + 1)).as("found once").isNegative();
        ByteBuffer.wrap(b, at + 24, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(8388608);
        Path out = tmp.resolve("consistent-finding.h5ad");
        Files.write(out, b);
        return out;
    }

    @Test
    void neverAllocatedStorageReadsAsFillWithinTheBudget() throws Exception {
        Path file = consistentFinding();
        try (H5adContainer c = H5adContainer.open(file, ContainerOptions.defaults())) {
            ArrayNode ints = array(c, "layers/ints");
            assertThat(ints.shape()).containsExactly(9, 8388608);
            // a small read: its slab and nothing of the 256 KiB virtual chunks it touches
            long allocated = allocatedBy(() ->
                    assertThat((int[]) ints.read(new long[] {3, 100}, new int[] {2, 1000})).containsOnly(0));
            assertThat(allocated).isLessThan(64 << 10);
            assertThatThrownBy(() -> ints.read(new long[] {0, 0}, new int[] {1, 8388608}))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("element 'layers/ints'")
                    .hasMessageContaining("storage never allocated");
        }
        // as a matrix it is refused on opening: 8388608 dense columns, and a store of no genes
        try (AnnDataStore s = AnnDataStore.open(file)) {
            assertThatThrownBy(() -> s.matrix("layers/ints"))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("element 'layers/ints'")
                    .hasMessageContaining("8388608 columns");
        }
    }

    /** The fuzzer's file as it is: the dimension above its maximum of 0 is refused on opening. */
    @Test
    void aDimensionAboveAZeroMaximumIsCorrupt() throws Exception {
        try (H5adContainer c = H5adContainer.open(FINDING, ContainerOptions.defaults())) {
            assertThatThrownBy(() -> c.node("layers/ints"))
                    .isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("element 'layers/ints'")
                    .hasMessageContaining("dimension 1 is 8388608, more than its declared maximum 0");
            assertThat(array(c, "X").shape()).containsExactly(9, 0); // maximum 0, dimension 0: fine
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
