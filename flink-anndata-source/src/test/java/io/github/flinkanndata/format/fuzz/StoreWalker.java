package io.github.flinkanndata.format.fuzz;

import io.github.flinkanndata.format.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.Column;
import io.github.flinkanndata.format.DataFrame;
import io.github.flinkanndata.format.MatrixElement;
import io.github.flinkanndata.format.MatrixLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads everything a loader would read from a store: both dataframes (index and every column), and
 * the rows of X, raw/X, every layer and every obsm entry, in batches the way the source reader
 * fetches them.
 *
 * <p>Rows are capped per element: a store whose data is entirely fill value (zarr's missing
 * chunks) may legitimately declare billions of rows, and reading them all would measure the
 * declared size, not a bug. The cap still covers every row of every fixture.
 */
final class StoreWalker {
    /** Rows per read, as the source reader's default batch. */
    static final int BATCH_ROWS = 256;

    /** Rows read per element at most; fixtures have far fewer. */
    static final long MAX_ROWS = 20_000;

    private StoreWalker() {}

    /** Opens the store at {@code path}, reads everything, closes it. */
    static void readEverything(Path path) throws AnnDataFormatException {
        try (AnnDataStore s = AnnDataStore.open(path)) {
            readFrame(s.obs());
            readFrame(s.var());
            List<String> keys = new ArrayList<>(List.of("X", "raw.X"));
            s.layerKeys().forEach(k -> keys.add("layers/" + k));
            s.obsmKeys().forEach(k -> keys.add("obsm/" + k));
            for (String k : keys) {
                MatrixElement m = s.matrix(k);
                // CSC and dataframe entries have no rows to read (refused by design); CSC parts
                // were checked on opening
                if (m != null && (m.layout() == MatrixLayout.DENSE || m.layout() == MatrixLayout.CSR)) {
                    readRows(m);
                }
            }
        } catch (java.io.IOException e) {
            // close() of a container: not part of the contract under test, but must not be hidden
            throw new IllegalStateException("closing the store failed", e);
        }
    }

    private static void readFrame(DataFrame frame) throws AnnDataFormatException {
        frame.index();
        for (String name : frame.columnOrder()) {
            Column c = frame.column(name);
            if (c != null) {
                c.labels();
            }
        }
    }

    private static void readRows(MatrixElement m) throws AnnDataFormatException {
        long end = Math.min(m.rows(), MAX_ROWS);
        if (end == 0) {
            m.readRows(0, 0);
        }
        for (long from = 0; from < end; from += BATCH_ROWS) {
            m.readRows(from, Math.min(end, from + BATCH_ROWS));
        }
    }
}
