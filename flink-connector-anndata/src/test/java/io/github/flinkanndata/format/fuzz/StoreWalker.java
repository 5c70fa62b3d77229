package io.github.flinkanndata.format.fuzz;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.Containers;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.Node;
import io.github.flinkanndata.format.Column;
import io.github.flinkanndata.format.DataFrame;
import io.github.flinkanndata.format.MatrixElement;
import io.github.flinkanndata.format.MatrixLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads everything a loader would read from a store ({@link #readEverything}), or every node of a
 * store below the AnnData layer ({@link #walkTree}). For AnnData: both dataframes (index and every column), and
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

    /** Tree depth walked at most: hard links can make the group graph cyclic. */
    static final int MAX_DEPTH = 12;

    /**
     * Elements read per array at most, in one slab from the origin: enough to reach several chunks,
     * few enough that a store of many arrays declared large (fill values, legal) stays in bounds.
     */
    static final long MAX_ELEMENTS = 1 << 16;

    /**
     * Opens a store that need not be AnnData (the backend test files), and reads the whole tree
     * below the AnnData layer: every node's attributes, every group's children, a slab of every
     * array and of every compound field.
     */
    static void walkTree(Path path) throws AnnDataFormatException {
        try (Container c = Containers.open(path, ContainerOptions.defaults())) {
            walk(c, c.root(), 0);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("closing the store failed", e);
        }
    }

    private static void walk(Container c, Node node, int depth) throws AnnDataFormatException {
        node.attributes();
        if (node instanceof GroupNode) {
            if (depth >= MAX_DEPTH) {
                return;
            }
            for (String name : ((GroupNode) node).children()) {
                Node child = c.node(node.path().isEmpty() ? name : node.path() + "/" + name);
                if (child != null) {
                    walk(c, child, depth + 1);
                }
            }
            return;
        }
        ArrayNode a = (ArrayNode) node;
        long[] shape = a.shape();
        long[] offset = new long[shape.length];
        int[] count = new int[shape.length];
        long budget = MAX_ELEMENTS;
        for (int i = shape.length - 1; i >= 0; i--) {
            count[i] = (int) Math.max(0, Math.min(shape[i], Math.max(1, budget)));
            budget = count[i] == 0 ? budget : budget / count[i];
        }
        a.read(offset, count);
        for (String field : a.fieldNames()) {
            if (shape.length == 1) {
                a.readField(field, 0, count[0]);
            }
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
