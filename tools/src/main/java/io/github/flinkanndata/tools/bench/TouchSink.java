package io.github.flinkanndata.tools.bench;

import io.github.flinkanndata.source.record.CellBatch;
import io.github.flinkanndata.source.record.MatrixBlock;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A discarding sink that reads every value of every record (the {@code X} row, sparse or dense,
 * and the label), so nothing the source produced can be skipped, and counts records and stored
 * values in JVM-wide counters. The benchmark runs the MiniCluster in its own JVM, so the counters
 * see every subtask.
 */
final class TouchSink implements Sink<CellRecord> {
    private static final long serialVersionUID = 1L;

    static final LongAdder CELLS = new LongAdder();
    static final LongAdder VALUES = new LongAdder();
    static volatile double blackhole;

    static void reset() {
        CELLS.reset();
        VALUES.reset();
    }

    @Override
    public SinkWriter<CellRecord> createWriter(WriterInitContext context) {
        return new Writer();
    }

    /** Sums the row's values; returns how many stored values it read. */
    static int touch(MatrixRow row, double[] acc) {
        if (row.isSparse()) {
            int[] idx = row.indices();
            Object v = row.values();
            double s = 0;
            if (v instanceof float[]) {
                s = sum((float[]) v);
                long cols = 0;
                for (int c : idx) {
                    cols += c;
                }
                s += cols;
            } else {
                for (int i = 0; i < idx.length; i++) {
                    s += io.github.flinkanndata.format.Values.asDouble(v, i) + idx[i];
                }
            }
            acc[0] += s;
            return idx.length;
        }
        Object d = row.dense();
        double s = 0;
        int n;
        if (d instanceof float[]) {
            n = ((float[]) d).length;
            s = sum((float[]) d);
        } else {
            n = io.github.flinkanndata.format.Values.length(d);
            for (int i = 0; i < n; i++) {
                s += io.github.flinkanndata.format.Values.asDouble(d, i);
            }
        }
        acc[0] += s;
        return n;
    }

    /** Sum in four lanes (as numpy's pairwise sum reads every value, without a serial chain). */
    static double sum(float[] f) {
        float a = 0;
        float b = 0;
        float c = 0;
        float d = 0;
        int i = 0;
        for (; i + 3 < f.length; i += 4) {
            a += f[i];
            b += f[i + 1];
            c += f[i + 2];
            d += f[i + 3];
        }
        for (; i < f.length; i++) {
            a += f[i];
        }
        return (double) a + b + c + d;
    }

    /** The same for mini-batches: every stored value of each batch's {@code X} block, and its labels. */
    static final class Batches implements Sink<CellBatch> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<CellBatch> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                private double acc;

                @Override
                public void write(CellBatch batch, Context context) {
                    MatrixBlock x = batch.matrix("X");
                    acc += sum(x.values());
                    int[] idx = x.indices();
                    long cols = 0;
                    for (int i = 0; idx != null && i < idx.length; i++) {
                        cols += idx[i];
                    }
                    acc += cols;
                    Object[] labels = batch.obs().get("cell_type");
                    for (int i = 0; labels != null && i < labels.length; i++) {
                        if (labels[i] instanceof Integer) {
                            acc += (Integer) labels[i];
                        }
                    }
                    CELLS.add(batch.size());
                    VALUES.add(x.values().length);
                }

                @Override
                public void flush(boolean endOfInput) {
                    // counted per batch
                }

                @Override
                public void close() {
                    blackhole = acc;
                }
            };
        }
    }

    private static final class Writer implements SinkWriter<CellRecord> {
        private final double[] acc = new double[1];
        private long cells;
        private long values;

        @Override
        public void write(CellRecord record, Context context) {
            values += touch(record.matrix("X"), acc);
            Object label = record.obs("cell_type");
            if (label instanceof Integer) {
                acc[0] += (Integer) label;
            }
            if (++cells == 256) {
                flushCounts();
            }
        }

        private void flushCounts() {
            CELLS.add(cells);
            VALUES.add(values);
            cells = 0;
            values = 0;
        }

        @Override
        public void flush(boolean endOfInput) {
            flushCounts();
        }

        @Override
        public void close() {
            flushCounts();
            blackhole = acc[0];
        }
    }
}
