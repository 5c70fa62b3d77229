package io.github.flinkanndata.source.it;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.CellRecordTypeInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;

/**
 * The "external system" of {@link AnnDataSourceTestSuiteITCase}: a directory of up to {@link
 * #SPLITS} zarr stores, one per test split. The suite creates the source before it writes data,
 * and our source fixes its path list when it is built, so all stores exist from the start with no
 * rows; writing a split replaces its store by one holding the written records. The plan is made
 * when the job starts, after the writes.
 *
 * <p>A generated record is exactly the {@link CellRecord} the source must emit: epoch 0, the
 * global index the planned collection will give it (the rows of the stores written before it
 * come first), its store, row, dense float32 {@code X} and string label.
 *
 * <p>Unbounded mode: the source replays its collection epoch after epoch, and a collection never
 * changes once the job has planned it. So for a split already written, "more test data" means the
 * next epoch of that store: {@link #generateTestData} returns the same rows tagged with the next
 * epoch, and the writer only verifies that it is asked to write exactly that replay. Rows appended
 * to a store after the job started would never be read; the writer refuses them rather than
 * pretend.
 */
final class AnnDataExternalContext implements DataStreamSourceExternalContext<CellRecord> {
    /** The suite writes at most four splits per test. */
    static final int SPLITS = 4;

    private static final int GENES = 5;
    private static final String[] LABELS = {"A", "B", "C"};

    private final String testName;
    private final Path dir;
    private final List<String> paths = new ArrayList<>();
    private final List<List<CellRecord>> written = new ArrayList<>();
    private final int[] epochsGenerated = new int[SPLITS];

    AnnDataExternalContext(String testName) {
        this.testName = testName;
        try {
            this.dir = Files.createTempDirectory("anndata-suite-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < SPLITS; i++) {
            Path store = dir.resolve("split-" + i + ".zarr");
            DenseZarrStore.write(store, GENES, new float[0][], new String[0]);
            paths.add(store.toString());
            written.add(null);
        }
    }

    @Override
    public Source<CellRecord, ?, ?> createSource(TestingSourceSettings settings) {
        boolean bounded = settings.getBoundedness() == Boundedness.BOUNDED;
        // sequential, one split per store and epoch (rowsPerSplit > rows): a test split's order is kept
        return AnnDataSource.builder(paths).obsKeys("label").encodeLabels(false).output(OutputForm.DENSE)
                .epochs(bounded ? 1 : AnnDataSourceBuilder.UNBOUNDED).build();
    }

    @Override
    public ExternalSystemSplitDataWriter<CellRecord> createSourceSplitDataWriter(TestingSourceSettings settings) {
        return new ExternalSystemSplitDataWriter<>() {
            @Override
            public void writeRecords(List<CellRecord> records) {
                write(records);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public synchronized List<CellRecord> generateTestData(TestingSourceSettings settings, int split, long seed) {
        if (split < 0 || split >= SPLITS) {
            throw new IllegalArgumentException("split " + split + " outside [0, " + SPLITS + ")");
        }
        if (written.get(split) != null) {
            if (settings.getBoundedness() == Boundedness.BOUNDED) {
                throw new IllegalStateException("split " + split + " was written already; a bounded source reads "
                        + "one epoch of a collection that never changes");
            }
            return epoch(split, ++epochsGenerated[split]);
        }
        Random rnd = new Random(seed);
        int rows = 8 + rnd.nextInt(8);
        long offset = offset(split);
        List<CellRecord> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            float[] x = new float[GENES];
            for (int g = 0; g < GENES; g++) {
                x[g] = rnd.nextInt(4) == 0 ? 0f : rnd.nextInt(1000) / 8f; // exact in float32
            }
            out.add(record(0, offset + r, split, r, x, LABELS[rnd.nextInt(LABELS.length)]));
        }
        return out;
    }

    /** The records store {@code split} emits in {@code epoch}. */
    synchronized List<CellRecord> epoch(int split, int epoch) {
        List<CellRecord> out = new ArrayList<>();
        for (CellRecord r : written.get(split)) {
            out.add(new CellRecord(epoch, r.sample()));
        }
        return out;
    }

    /** Rows of each store (0 for stores not written). */
    synchronized int[] rowsPerStore() {
        int[] rows = new int[SPLITS];
        for (int i = 0; i < SPLITS; i++) {
            rows[i] = written.get(i) == null ? 0 : written.get(i).size();
        }
        return rows;
    }

    private synchronized void write(List<CellRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        int split = records.get(0).storeIndex();
        for (CellRecord r : records) {
            if (r.storeIndex() != split) {
                throw new IllegalArgumentException("one write goes to one split, got stores " + split + " and "
                        + r.storeIndex());
            }
        }
        List<CellRecord> existing = written.get(split);
        if (existing != null) {
            List<CellRecord> replay = epoch(split, records.get(0).epoch());
            if (!records.equals(replay) || records.get(0).epoch() == 0) {
                throw new IllegalStateException("store " + split + " is immutable once written: only the replay of its "
                        + existing.size() + " rows in a later epoch can be 'written' again");
            }
            return;
        }
        if (records.get(0).epoch() != 0 || records.get(0).globalIndex() != offset(split)) {
            throw new IllegalStateException("records of split " + split + " were generated for another layout");
        }
        float[][] x = new float[records.size()][];
        String[] labels = new String[records.size()];
        for (int r = 0; r < records.size(); r++) {
            Sample s = records.get(r).sample();
            x[r] = (float[]) s.layer("X").dense();
            labels[r] = (String) s.obs("label");
        }
        DenseZarrStore.write(Path.of(paths.get(split)), GENES, x, labels);
        written.set(split, List.copyOf(records));
    }

    /** Global index of the first row of {@code split}: the rows of the stores before it. */
    private long offset(int split) {
        long offset = 0;
        for (int i = 0; i < split; i++) {
            offset += written.get(i) == null ? 0 : written.get(i).size();
        }
        return offset;
    }

    private static CellRecord record(int epoch, long index, int store, long row, float[] x, String label) {
        return new CellRecord(epoch, new Sample(index, store, row, new String[] {"X"},
                new MatrixRow[] {MatrixRow.dense(DataType.FLOAT32, x)}, new String[0], new MatrixRow[0],
                new String[] {"label"}, new Object[] {label}));
    }

    @Override
    public TypeInformation<CellRecord> getProducedType() {
        return CellRecordTypeInfo.INSTANCE;
    }

    @Override
    public List<URL> getConnectorJarPaths() {
        return List.of();
    }

    @Override
    public void close() {
        DenseZarrStore.deleteRecursively(dir);
    }

    @Override
    public String toString() {
        return "AnnData zarr stores (" + testName + ")";
    }
}
