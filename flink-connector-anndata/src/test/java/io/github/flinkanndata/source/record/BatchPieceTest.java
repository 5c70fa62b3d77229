package io.github.flinkanndata.source.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.source.record.BatchToken;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Numbered-batch pieces: their serializer, joining pieces, and position tokens. */
class BatchPieceTest {
    private static final String KEY = "0123456789abcdef-0badf00d-b5";

    /** Cells {@code from..to-1} of a made-up batch: global index = 100 + cell, row i has i % 3 values. */
    private static CellBatch cells(int from, int to, boolean withMissing) {
        int n = to - from;
        long[] global = new long[n];
        int[] store = new int[n];
        long[] row = new long[n];
        int[] indptr = new int[n + 1];
        int[] widths = new int[n];
        boolean[] present = withMissing ? new boolean[n] : null;
        Object[] labels = new Object[n];
        for (int i = 0; i < n; i++) {
            int cell = from + i;
            global[i] = 100 + cell;
            store[i] = cell % 2;
            row[i] = cell * 10L;
            indptr[i + 1] = indptr[i] + cell % 3;
            widths[i] = 5;
            labels[i] = "t" + cell;
            if (present != null) {
                present[i] = cell != 2;
            }
        }
        int[] indices = new int[indptr[n]];
        float[] values = new float[indptr[n]];
        for (int i = 0; i < n; i++) {
            for (int k = indptr[i]; k < indptr[i + 1]; k++) {
                indices[k] = k - indptr[i];
                values[k] = (from + i) + 0.5f * (k - indptr[i]);
            }
        }
        Map<String, MatrixBlock> x = new LinkedHashMap<>();
        x.put("X", new MatrixBlock(indptr, indices, values, widths, present));
        Map<String, Object[]> obs = new LinkedHashMap<>();
        obs.put("cell_type", labels);
        return new CellBatch(3, global, store, row, x, Map.of(), obs);
    }

    private static BatchPiece piece(long g, int from, int to) {
        return new BatchPiece(KEY, 3, g, from, 5, 9, cells(from, to, true));
    }

    @Test
    void piecesRoundTripThroughTheirSerializer() throws Exception {
        BatchPiece p = piece(4, 1, 4);
        DataOutputSerializer out = new DataOutputSerializer(64);
        BatchPieceSerializer.INSTANCE.serialize(p, out);
        BatchPiece back = BatchPieceSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(p);
        assertThat(back.toString()).contains("batch 4 of 9").contains("cells [1, 4) of 5");
    }

    @Test
    void theAssemblerJoinsPiecesInAnyOrderIntoTheWholeBatch() {
        for (List<int[]> order : List.of(List.of(new int[] {0, 2}, new int[] {2, 5}),
                List.of(new int[] {3, 5}, new int[] {0, 1}, new int[] {1, 3}))) {
            BatchAssembler a = new BatchAssembler();
            BatchPiece whole = null;
            for (int i = 0; i < order.size(); i++) {
                int[] r = order.get(i);
                whole = a.add(piece(7, r[0], r[1]));
                assertThat(whole == null).as("after %d of %d pieces", i + 1, order.size()).isEqualTo(i < order.size() - 1);
                if (whole == null) {
                    assertThat(a.pending()).hasSize(i + 1);
                }
            }
            assertThat(whole.complete()).isTrue();
            assertThat(whole.batch()).isEqualTo(7);
            assertThat(whole.cells()).isEqualTo(cells(0, 5, true));
            assertThat(a.openBatches()).isZero();
        }
    }

    @Test
    void theAssemblerKeepsBatchesApartAndRefusesOverlaps() {
        BatchAssembler a = new BatchAssembler();
        assertThat(a.add(piece(1, 0, 3))).isNull();
        assertThat(a.add(piece(2, 3, 5))).isNull();
        assertThat(a.openBatches()).isEqualTo(2);
        assertThatThrownBy(() -> a.add(piece(1, 2, 4))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overlaps");
        BatchPiece whole = new BatchPiece(KEY, 3, 5, 0, 5, 9, cells(0, 5, false));
        assertThat(a.add(whole)).isSameAs(whole);
    }

    @Test
    void piecesCheckTheirPlaceInTheBatchAndEpoch() {
        assertThatThrownBy(() -> new BatchPiece(KEY, 3, 9, 0, 5, 9, cells(0, 5, false)))
                .hasMessageContaining("outside [0, 9)");
        assertThatThrownBy(() -> new BatchPiece(KEY, 3, 1, 3, 5, 9, cells(0, 3, false)))
                .hasMessageContaining("does not fit a batch of 5");
        assertThatThrownBy(() -> new BatchPiece(KEY, 2, 1, 0, 5, 9, cells(0, 5, false)))
                .hasMessageContaining("epoch 3 in a piece of epoch 2");
    }

    @Test
    void tokensParseTheirTextFormAndNameWhatIsWrong() {
        BatchToken t = new BatchToken(KEY, 2, 41);
        assertThat(BatchToken.parse(t.toString())).isEqualTo(t);
        assertThat(t.toString()).isEqualTo("fab1:" + KEY + ":2:41");
        assertThatThrownBy(() -> BatchToken.parse("fab2:" + KEY + ":2:41")).hasMessageContaining("not a batch token");
        assertThatThrownBy(() -> BatchToken.parse("fab1:" + KEY + ":two:41")).hasMessageContaining("bad number");
        assertThatThrownBy(() -> BatchToken.parse("fab1:" + KEY + ":2:-1")).hasMessageContaining(">= 0");
    }
}
