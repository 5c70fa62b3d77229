package io.github.flinkanndata.format.h5ad;

import static io.github.flinkanndata.format.h5ad.H5Fixtures.array;
import static io.github.flinkanndata.format.h5ad.H5Fixtures.openResource;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The chunk lookup (reached through jhdf's protected getChunkLookup) over every HDF5 chunk index:
 * version-3 B-trees in the other fixtures, and here the version-4 indexes that h5py writes with
 * libver v110..v114 (v4_indexes.h5, see make_test_files.py).
 */
class H5ChunkIndexTest {

    @Test
    void version4ChunkIndexes() throws Exception {
        try (H5adContainer c = openResource("v4_indexes.h5")) {
            assertThat((long[]) array(c, "single").read(new long[] {28}, new int[] {2}))
                    .containsExactly(28, 29);
            int[] fixed = (int[]) array(c, "fixed").readAll();
            assertThat(fixed).containsExactly(IntStream.range(0, 100).toArray());
            assertThat((int[]) array(c, "extensible").read(new long[] {14}, new int[] {20}))
                    .containsExactly(IntStream.range(14, 34).toArray());
            assertThat((float[]) array(c, "btree2").read(new long[] {3, 3}, new int[] {3, 2}))
                    .containsExactly(33, 34, 43, 44, 53, 54);
            short[] implicit = (short[]) array(c, "implicit").read(new long[] {15}, new int[] {3});
            assertThat(implicit).containsExactly((short) 15, (short) 16, (short) 17);
        }
    }

    /** A raw LZF chunk (mask bit 0, per h5py's get_chunk_info) under a fixed-array index. */
    @Test
    void filterMaskUnderVersion4Index() throws Exception {
        try (H5adContainer c = openResource("v4_indexes.h5")) {
            double[] v = (double[]) array(c, "lzf_raw").readAll();
            assertThat(new double[] {v[254], v[255], v[256], v[257]})
                    .containsExactly(63.5, 63.75, 0.625095466604667, 0.8972138009695755);
            double sum = 0;
            for (double d : v) {
                sum += d;
            }
            assertThat(sum).isEqualTo(106528.887468164);
        }
    }
}
