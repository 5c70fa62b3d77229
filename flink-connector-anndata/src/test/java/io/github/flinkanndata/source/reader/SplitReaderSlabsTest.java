package io.github.flinkanndata.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.record.CellBatch;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.List;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

/**
 * The arrays readers decode into are used again only where the output format copies the samples
 * (batches), never for per-cell records (which read their samples later, on the task thread), and
 * the JVM's pool is emptied when its last reader closes (a TaskManager outlives its jobs).
 */
class SplitReaderSlabsTest {

    private static <T> AnnDataSplitReader<T> reader(AnnDataCollection collection, CellOutputFormat<T> format,
            SharedSlabs slabs) {
        PlanHolder plan = new PlanHolder();
        plan.set(collection.plan());
        return new AnnDataSplitReader<>(plan, true, format, 4, 8, 2, new SimpleCounter(), StoreResolver.LOCAL,
                "test", slabs);
    }

    /** Fetches the split to its end. */
    private static <T> void readAll(AnnDataSplitReader<T> reader, AnnDataSplit split) throws Exception {
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split)));
        for (int i = 0; i < 1000; i++) {
            RecordsWithSplitIds<ConvertedRecord<T>> r = reader.fetch();
            if (r.finishedSplits().contains(split.splitId())) {
                return;
            }
        }
        throw new AssertionError("split " + split + " did not finish");
    }

    @Test
    void batchesReleaseTheirArraysAndTheLastReaderToCloseEmptiesThePool() throws Exception {
        try (AnnDataCollection collection =
                AnnDataCollection.open(ReaderFixture.settings(OutputForm.SPARSE).collection())) {
            AnnDataSplit split = ReaderFixture.shuffledSplit(collection.plan());
            SharedSlabs slabs = new SharedSlabs(64 << 20);
            AnnDataSplitReader<CellRecord> cells = reader(collection, CellOutputFormat.cells(), slabs);
            readAll(cells, split);
            assertThat(slabs.freeBytes()).as("per-cell records keep their arrays").isZero();
            AnnDataSplitReader<CellBatch> batches = reader(collection, CellOutputFormat.batches(3), slabs);
            readAll(batches, split);
            assertThat(slabs.freeBytes()).as("batches gave theirs back").isPositive();
            batches.close();
            assertThat(slabs.freeBytes()).as("a reader is still open").isPositive();
            cells.close();
            cells.close(); // a second close counts once
            assertThat(slabs.freeBytes()).isZero();
        }
    }
}
