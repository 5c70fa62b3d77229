package io.github.flinkanndata.format.h5ad;

import static io.github.flinkanndata.format.h5ad.H5Fixtures.array;
import static io.github.flinkanndata.format.h5ad.H5Fixtures.openResource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.DataType;
import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.filter.LzfFilter;
import java.nio.ByteBuffer;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * The jhdf 0.13 gaps we work around, each shown on a fixture where jhdf alone fails or returns
 * something else (fixtures and expected values from make_test_files.py and h5py).
 */
class JhdfWorkaroundsTest {

    /**
     * floats = arange(1024) * 0.5 with elements 512..767 random; h5py's values around the edges.
     */
    private static void assertFloatsFixture(ArrayNode a) throws Exception {
        assertThat((double[]) a.read(new long[] {510}, new int[] {5}))
                .containsExactly(
                        255.0, 255.5, 0.7739560485559633, 0.4388784397520523, 0.8585979199113825);
        assertThat((double[]) a.read(new long[] {766}, new int[] {4}))
                .containsExactly(0.23666236299758114, 0.7460142802434464, 384.0, 384.5);
        double sum = 0;
        for (double v : (double[]) a.readAll()) {
            sum += v;
        }
        assertThat(sum).isEqualTo(180159.223072797);
    }

    /** (a) h5py writes vlen-string LZF datasets without cd_values; jhdf's LZF filter then fails. */
    @Test
    void lzfWithoutCdValues() throws Exception {
        try (H5adContainer c = openResource("lzf_tolerance.h5")) {
            ArrayNode s = array(c, "strings_nocd");
            assertThat(s.dataType()).isEqualTo(DataType.STRING);
            // chunks of 100: [98, 102) spans two
            assertThat((String[]) s.read(new long[] {98}, new int[] {4}))
                    .containsExactly(
                            "cell_98_µ_éé", "cell_99_µ_ééé", "cell_100_µ_", "cell_101_µ_é");
            assertThat((String[]) s.readAll()).hasSize(300).endsWith("cell_299_µ_ééé");
            // jhdf's own filter on the same chunk bytes
            byte[] chunk = storedChunk("strings_nocd", new int[] {0});
            assertThatThrownBy(() -> new LzfFilter().decode(chunk, new int[0]))
                    .isInstanceOf(ArrayIndexOutOfBoundsException.class);
            assertThat(new TolerantLzfFilter().decode(chunk, new int[0])).hasSize(100 * 16);
        }
    }

    /**
     * (b) HDF5 stored chunk 2 raw (LZF skipped, filter mask bit 0 set, as h5py's get_chunk_info
     * reports). Decoding it through the pipeline regardless of the mask, as jhdf does, fails.
     */
    @Test
    void chunkFilterMaskIsHonoured() throws Exception {
        try (H5adContainer c = openResource("lzf_tolerance.h5")) {
            assertFloatsFixture(array(c, "floats_nocd_rawchunk"));
            assertFloatsFixture(array(c, "floats_rawchunk"));
        }
        try (HdfFile file = new HdfFile(H5Fixtures.resource("lzf_tolerance.h5"))) {
            ChunkedDataset ds = (ChunkedDataset) file.getDatasetByPath("floats_nocd_rawchunk");
            ChunkFilters filters = ChunkFilters.of(ds.getFilters());
            byte[] raw = storedChunk("floats_nocd_rawchunk", new int[] {512});
            assertThat(raw).hasSize(256 * 8); // stored uncompressed
            BitSet lzfSkipped = new BitSet();
            lzfSkipped.set(0);
            assertThat(filters.decode(raw, lzfSkipped, raw.length)).isEqualTo(raw);
            assertThatThrownBy(() -> filters.decode(raw, new BitSet(), raw.length))
                    .isInstanceOf(ChunkFilters.ChunkFilterException.class)
                    .hasMessageContaining("lzf");
        }
    }

    /** (c) h5py booleans are an int8 enum that jhdf returns as the strings "TRUE"/"FALSE". */
    @Test
    void enumBooleansAreBooleans() throws Exception {
        try (H5adContainer c = openResource("types.h5")) {
            ArrayNode b = array(c, "bools");
            assertThat(b.dataType()).isEqualTo(DataType.BOOL);
            assertThat((boolean[]) b.readAll()).containsExactly(true, false, true, true, false);
            boolean[] gz = (boolean[]) array(c, "bools_gzip").read(new long[] {14}, new int[] {5});
            assertThat(gz)
                    .containsExactly(false, true, false, false, true); // i % 3 == 0, chunks of 16
            assertThat((boolean[]) array(c, "scalar_bool").readAll()).containsExactly(true);
            assertThat(c.node("attrs").attributes())
                    .containsEntry("bool_scalar", true)
                    .containsEntry("bool_array", java.util.List.of(true, false));
        }
        try (HdfFile file = new HdfFile(H5Fixtures.resource("types.h5"))) {
            assertThat(file.getDatasetByPath("bools").getData()).isInstanceOf(String[].class);
        }
    }

    /** (d) uint64 arrives from jhdf as BigInteger[]; we keep the bit pattern in a long[]. */
    @Test
    void uint64AsBitPatterns() throws Exception {
        try (H5adContainer c = openResource("types.h5")) {
            ArrayNode u = array(c, "ints/u64");
            assertThat(u.dataType()).isEqualTo(DataType.UINT64);
            long[] v = (long[]) u.readAll();
            assertThat(v).containsExactly(0L, 1L, Long.MIN_VALUE, -1L);
            assertThat(Long.toUnsignedString(v[3])).isEqualTo("18446744073709551615");
            assertThat(c.node("attrs").attributes()).containsEntry("u64_max", -1L);
        }
        try (HdfFile file = new HdfFile(H5Fixtures.resource("types.h5"))) {
            assertThat(file.getDatasetByPath("ints/u64").getData())
                    .isInstanceOf(java.math.BigInteger[].class);
        }
    }

    /** zstd (32015) and blosc (32001), which jhdf lacks, as hdf5plugin 7.1 writes them. */
    @Test
    void zstdAndBloscFilters() throws Exception {
        try (H5adContainer c = openResource("plugins.h5")) {
            assertThat((double[]) array(c, "zstd_f64").read(new long[] {995}, new int[] {8}))
                    .containsExactly(
                            99.5,
                            99.60000000000001,
                            99.7,
                            99.80000000000001,
                            99.9,
                            100.0,
                            100.10000000000001,
                            100.2);
            long sum = 0;
            for (int v : (int[]) array(c, "blosc_lz4_i32").readAll()) {
                sum += v;
            }
            assertThat(sum).isEqualTo(2497500);
            assertThat((float[]) array(c, "blosc_zstd_f32").read(new long[] {998}, new int[] {3}))
                    .containsExactly(
                            -0.8554731607437134f, -0.02646075375378132f, 0.8268795609474182f);
            assertThat((String[]) array(c, "zstd_strings").read(new long[] {126}, new int[] {4}))
                    .containsExactly("gene_126_é", "gene_127_é", "gene_128_é", "gene_129_é");
        }
    }

    /** The stored (still filtered) bytes of one chunk, through jhdf's public raw-chunk API. */
    private static byte[] storedChunk(String dataset, int[] chunkOffset) {
        try (HdfFile file = new HdfFile(H5Fixtures.resource("lzf_tolerance.h5"))) {
            ByteBuffer bb =
                    ((ChunkedDataset) file.getDatasetByPath(dataset))
                            .getRawChunkBuffer(chunkOffset);
            byte[] out = new byte[bb.remaining()];
            bb.get(out);
            return out;
        }
    }
}
