package io.github.flinkanndata.format;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.Node;
import io.github.flinkanndata.format.tree.SlabPool;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * One matrix element of a store (X, a layer, raw/X or an obsm entry), able to read consecutive
 * rows. A range read touches only the chunks overlapping the range: for CSR, two-plus-n entries of
 * {@code indptr} and the {@code [indptr[from], indptr[to])} stretch of {@code indices} and {@code
 * data}; for dense, the row slab.
 *
 * <p>Everything read is checked (monotonic {@code indptr}, column numbers within the width, part
 * lengths agreeing with each other), so corrupt stores fail with a message instead of yielding
 * wrong rows. Thread-safe: it holds only immutable handles.
 */
public final class MatrixElement {
    /**
     * Widest dense element accepted, in columns: 2^20. Dense rows are read whole, so the width
     * sizes every read (the source reads at least 16 rows at once, 128 MiB of doubles at this
     * width) whether or not the file holds the values: zarr reads chunks it does not store as the
     * fill value, legally. No gene annotation comes near it (GENCODE human: about 63,000 genes,
     * 250,000 transcripts); feature sets that do (ATAC peaks, genome bins) are stored sparse, and
     * sparse elements, whose reads are sized by their stored values, have no such limit. A wider
     * dense shape is a corrupt one (the reader fuzzer found a layer of 8,388,608 columns in a
     * store of no genes, which the source read as 600 MB of zeros).
     */
    public static final long MAX_DENSE_WIDTH = 1L << 20;

    private final String store;
    private final String path;
    private final MatrixLayout layout;
    private final long rows;
    private final long cols;
    private final boolean vector;
    // the shape of one row of an N-D dense obsm entry (d1, d2, ...); null for 1-D and 2-D elements
    @Nullable private final int[] rowShape;
    private final DataType dataType;
    // DENSE: array (or a compound array and one of its fields, for pre-0.7 obsm)
    @Nullable private final ArrayNode dense;
    @Nullable private final String field;
    // CSR / CSC parts
    @Nullable private final ArrayNode data;
    @Nullable private final ArrayNode indices;
    @Nullable private final ArrayNode indptr;

    private MatrixElement(
            String store, String path, MatrixLayout layout, long rows, long cols, boolean vector,
            @Nullable int[] rowShape, DataType dataType, @Nullable ArrayNode dense, @Nullable String field,
            @Nullable ArrayNode data, @Nullable ArrayNode indices, @Nullable ArrayNode indptr) {
        this.store = store;
        this.path = path;
        this.layout = layout;
        this.rows = rows;
        this.cols = cols;
        this.vector = vector;
        this.rowShape = rowShape;
        this.dataType = dataType;
        this.dense = dense;
        this.field = field;
        this.data = data;
        this.indices = indices;
        this.indptr = indptr;
    }

    /**
     * Interprets a node as a matrix element; {@code null} for an anndata {@code null} element. A
     * dense array must be 1-D or 2-D.
     */
    @Nullable
    static MatrixElement of(Container c, Node node) throws AnnDataFormatException {
        return of(c, node, false);
    }

    /**
     * As {@link #of(Container, Node)}; with {@code nd} (obsm entries), a dense array may also have
     * more than two dimensions {@code (n_obs, d1, d2, ...)}: each row is then the {@code (d1, d2,
     * ...)} block, read flat in C order ({@link #cols()} values) with its shape in {@link
     * #rowShape()} (docs/semantics.md §7.1).
     */
    @Nullable
    static MatrixElement of(Container c, Node node, boolean nd) throws AnnDataFormatException {
        Attrs attrs = Attrs.of(node);
        String enc = attrs.encodingType();
        if ("null".equals(enc)) {
            return null;
        }
        if (node instanceof ArrayNode) {
            return dense(node.store(), node.path(), (ArrayNode) node, nd);
        }
        GroupNode group = (GroupNode) node;
        String sparse = enc;
        if (sparse == null && attrs.has("h5sparse_format")) {
            // anndata < 0.7 sparse groups carry h5sparse_* attributes instead of an encoding
            sparse = attrs.string("h5sparse_format") + "_matrix";
        }
        if ("dataframe".equals(enc)) {
            return new MatrixElement(node.store(), node.path(), MatrixLayout.DATAFRAME,
                    0, 0, false, null, DataType.COMPOUND, null, null, null, null, null);
        }
        if ("csr_matrix".equals(sparse) || "csc_matrix".equals(sparse)) {
            return sparse(c, group, attrs, "csr_matrix".equals(sparse));
        }
        throw new AnnDataFormatException(node.store(), node.path(),
                "not a matrix: a group with encoding-type " + enc
                        + " (expected csr_matrix, csc_matrix or a dense array)");
    }

    /** A dense matrix made of one field of a compound dataset (pre-0.7 obsm). */
    static MatrixElement compoundField(ArrayNode compound, String field) throws AnnDataFormatException {
        int[] fieldShape = compound.fieldShape(field);
        long cols = 1;
        for (int d : fieldShape) {
            cols *= d;
        }
        // a sub-array field of two or more dimensions is an N-D obsm entry like any other
        int[] rowShape = fieldShape.length >= 2 ? fieldShape.clone() : null;
        checkDenseWidth(compound.store(), compound.path() + "/" + field, cols);
        return new MatrixElement(compound.store(), compound.path() + "/" + field, MatrixLayout.DENSE,
                compound.shape()[0], cols, fieldShape.length == 0, rowShape, compound.fieldType(field),
                compound, field, null, null, null);
    }

    private static MatrixElement dense(String store, String path, ArrayNode a, boolean nd)
            throws AnnDataFormatException {
        long[] shape = a.shape();
        if (shape.length == 0 || (shape.length > 2 && !nd)) {
            throw new AnnDataFormatException(store, path,
                    "dense matrix must be 1-D or 2-D, shape is " + Arrays.toString(shape));
        }
        if (!a.dataType().isNumeric()) {
            throw new AnnDataFormatException(store, path,
                    "matrix values must be numeric, found " + a.dataType().numpyName());
        }
        boolean vector = shape.length == 1;
        int[] rowShape = null;
        long cols = vector ? 1 : shape[1];
        if (shape.length > 2) {
            rowShape = new int[shape.length - 1];
            cols = 1;
            for (int i = 1; i < shape.length; i++) {
                if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE - 8) {
                    throw new AnnDataFormatException(store, path, "dimension " + i + " of shape "
                            + Arrays.toString(shape) + " is out of range");
                }
                rowShape[i - 1] = (int) shape[i];
                cols *= shape[i];
                if (cols > Integer.MAX_VALUE) {
                    throw new AnnDataFormatException(store, path, "rows of shape "
                            + Arrays.toString(rowShape) + " hold more than 2^31-1 values; shape is "
                            + Arrays.toString(shape));
                }
            }
        }
        if (!vector) {
            checkDenseWidth(store, path, cols); // the values of a row, whatever its shape
        }
        return new MatrixElement(store, path, MatrixLayout.DENSE, shape[0], cols,
                vector, rowShape, a.dataType(), a, null, null, null, null);
    }

    /** See {@link #MAX_DENSE_WIDTH}; checked when the element is opened, before any read. */
    private static void checkDenseWidth(String store, String path, long cols) throws AnnDataFormatException {
        if (cols > MAX_DENSE_WIDTH) {
            throw new AnnDataFormatException(store, path,
                    "dense matrix of " + cols + " columns, more than any plausible number of genes or"
                            + " features (at most " + MAX_DENSE_WIDTH + " are read dense; store wider"
                            + " matrices as CSR)");
        }
    }

    private static MatrixElement sparse(Container c, GroupNode g, Attrs attrs, boolean csr) throws AnnDataFormatException {
        long[] shape = attrs.has("shape") ? attrs.longList("shape") : attrs.longList("h5sparse_shape");
        if (shape == null || shape.length != 2 || shape[0] < 0 || shape[1] < 0) {
            throw new AnnDataFormatException(g.store(), g.path(),
                    "sparse matrix needs a 'shape' attribute of two non-negative integers, found "
                            + (shape == null ? "none" : Arrays.toString(shape)));
        }
        ArrayNode data = part(c, g, "data");
        ArrayNode indices = part(c, g, "indices");
        ArrayNode indptr = part(c, g, "indptr");
        long major = csr ? shape[0] : shape[1];
        if (indptr.shape()[0] != major + 1) {
            throw new AnnDataFormatException(g.store(), g.path() + "/indptr",
                    "indptr has " + indptr.shape()[0] + " entries, expected " + (major + 1)
                            + " for shape " + Arrays.toString(shape));
        }
        if (indices.shape()[0] != data.shape()[0]) {
            throw new AnnDataFormatException(g.store(), g.path(),
                    "indices has " + indices.shape()[0] + " entries but data has " + data.shape()[0]);
        }
        if (!indices.dataType().isInteger() || !indptr.dataType().isInteger()) {
            throw new AnnDataFormatException(g.store(), g.path(),
                    "indices and indptr must be integers, found " + indices.dataType().numpyName()
                            + " and " + indptr.dataType().numpyName());
        }
        if (!data.dataType().isNumeric()) {
            throw new AnnDataFormatException(g.store(), g.path() + "/data",
                    "matrix values must be numeric, found " + data.dataType().numpyName());
        }
        return new MatrixElement(g.store(), g.path(), csr ? MatrixLayout.CSR : MatrixLayout.CSC,
                shape[0], shape[1], false, null, data.dataType(), null, null, data, indices, indptr);
    }

    private static ArrayNode part(Container c, GroupNode g, String name) throws AnnDataFormatException {
        String p = g.path().isEmpty() ? name : g.path() + "/" + name;
        Node n = c.node(p);
        if (!(n instanceof ArrayNode) || ((ArrayNode) n).shape().length != 1) {
            throw new AnnDataFormatException(g.store(), p,
                    n == null ? "sparse matrix part is missing" : "sparse matrix part must be a 1-D array");
        }
        return (ArrayNode) n;
    }

    public String store() {
        return store;
    }

    /** Element path inside the store, e.g. {@code X}, {@code layers/counts}, {@code raw/X}. */
    public String path() {
        return path;
    }

    public MatrixLayout layout() {
        return layout;
    }

    public long rows() {
        return rows;
    }

    /**
     * Number of columns; 1 for a 1-D element; for an N-D obsm entry, the number of values of one
     * row (the product of {@link #rowShape()}).
     */
    public long cols() {
        return cols;
    }

    /**
     * The shape of one row of an obsm entry with more than two dimensions: {@code (d1, d2, ...)}
     * of an element of shape {@code (n_obs, d1, d2, ...)}; null for 1-D and 2-D elements, whose
     * rows are flat. A copy.
     */
    @Nullable
    public int[] rowShape() {
        return rowShape == null ? null : rowShape.clone();
    }

    /** True for a 1-D dense element (each row is a single value). */
    public boolean isVector() {
        return vector;
    }

    /** The stored value type (the {@code data} type for sparse elements). */
    public DataType dataType() {
        return dataType;
    }

    /** Number of stored non-zeros of a sparse element; -1 for dense. */
    public long nnz() {
        return data == null ? -1 : data.shape()[0];
    }

    /** Whether {@link #prefetchRows} does anything (a matrix of a remote store). */
    public boolean prefetches() {
        if (layout == MatrixLayout.DENSE) {
            return dense != null && dense.prefetches();
        }
        return layout == MatrixLayout.CSR && data != null && data.prefetches();
    }

    /**
     * A hint that rows {@code [from, to)} are about to be read, perhaps in several smaller reads: a
     * remote store fetches the chunks they span now, concurrently ({@link ArrayNode#prefetch}). For
     * a CSR matrix, the row pointers are read (they are needed anyway) and the ranges of the values
     * and column indices prefetched. Never fails.
     */
    public void prefetchRows(long from, long to) {
        if (from < 0 || to <= from || to > rows || cols > Integer.MAX_VALUE) {
            return;
        }
        try {
            int n = Math.toIntExact(to - from);
            if (layout == MatrixLayout.DENSE && dense != null && field == null && dense.prefetches()) {
                if (vector) {
                    dense.prefetch(new long[] {from}, new int[] {n});
                } else if (rowShape != null) {
                    long[] offset = new long[rowShape.length + 1];
                    offset[0] = from;
                    int[] count = new int[rowShape.length + 1];
                    count[0] = n;
                    System.arraycopy(rowShape, 0, count, 1, rowShape.length);
                    dense.prefetch(offset, count);
                } else {
                    dense.prefetch(new long[] {from, 0}, new int[] {n, (int) cols});
                }
            } else if (layout == MatrixLayout.CSR && indptr != null && data != null && indices != null
                    && data.prefetches()) {
                Object ptr = indptr.read(new long[] {from}, new int[] {n + 1});
                long lo = Values.asLong(ptr, 0);
                long hi = Values.asLong(ptr, n);
                if (lo >= 0 && hi > lo && hi - lo <= Integer.MAX_VALUE - 8 && hi <= data.shape()[0]) {
                    data.prefetch(new long[] {lo}, new int[] {(int) (hi - lo)});
                    indices.prefetch(new long[] {lo}, new int[] {(int) (hi - lo)});
                }
            }
        } catch (AnnDataFormatException | RuntimeException e) {
            // only a hint: the read that follows reports what is wrong
        }
    }

    /** Reads rows {@code [from, to)} in one range read. */
    public RowBlock readRows(long from, long to) throws AnnDataFormatException {
        return readRows(from, to, null);
    }

    /**
     * As {@link #readRows(long, long)}; the values and column indices of a sparse block may be read
     * into arrays of {@code lease} (see {@link ArrayNode#read(long[], int[], SlabPool.Lease)}),
     * which then stay in use until the lease is released.
     */
    public RowBlock readRows(long from, long to, @Nullable SlabPool.Lease lease) throws AnnDataFormatException {
        if (from < 0 || to < from || to > rows) {
            throw new AnnDataFormatException(store, path,
                    "row range [" + from + ", " + to + ") outside [0, " + rows + ")");
        }
        if (cols > Integer.MAX_VALUE) {
            throw new AnnDataFormatException(store, path, "more than 2^31-1 columns: " + cols);
        }
        int n = Math.toIntExact(to - from);
        switch (layout) {
            case DENSE:
                return readDense(from, n);
            case CSR:
                return readCsr(from, n, lease);
            case CSC:
                throw new AnnDataFormatException(store, path,
                        "CSC matrices cannot be read by row; store this element as CSR or dense");
            default:
                throw new AnnDataFormatException(store, path,
                        "a dataframe obsm entry has no numeric rows");
        }
    }

    private RowBlock readDense(long from, int n) throws AnnDataFormatException {
        int width = (int) cols;
        if ((long) n * width > Integer.MAX_VALUE - 8) {
            throw new AnnDataFormatException(store, path,
                    n + " rows of " + width + " values exceed one Java array; read fewer rows");
        }
        Object values;
        if (field != null) {
            values = dense.readField(field, from, n);
        } else if (vector) {
            values = dense.read(new long[] {from}, new int[] {n});
        } else if (rowShape != null) {
            long[] offset = new long[rowShape.length + 1];
            offset[0] = from;
            int[] count = new int[rowShape.length + 1];
            count[0] = n;
            System.arraycopy(rowShape, 0, count, 1, rowShape.length);
            values = dense.read(offset, count);
        } else {
            values = dense.read(new long[] {from, 0}, new int[] {n, width});
        }
        return RowBlock.dense(from, n, width, dataType, values);
    }

    private RowBlock readCsr(long from, int n, @Nullable SlabPool.Lease lease) throws AnnDataFormatException {
        Object ptrRaw = indptr.read(new long[] {from}, new int[] {n + 1});
        long lo = Values.asLong(ptrRaw, 0);
        long hi = Values.asLong(ptrRaw, n);
        long nnzTotal = data.shape()[0];
        if (lo < 0 || hi < lo || hi > nnzTotal) {
            throw new AnnDataFormatException(store, path + "/indptr",
                    "indptr entries " + lo + ".." + hi + " for rows " + from + ".." + (from + n)
                            + " are inconsistent with " + nnzTotal + " stored values");
        }
        if (hi - lo > Integer.MAX_VALUE - 8) {
            throw new AnnDataFormatException(store, path,
                    "rows " + from + ".." + (from + n) + " hold more than 2^31 values; read fewer rows");
        }
        int[] ptr = new int[n + 1];
        long prev = lo;
        for (int i = 0; i <= n; i++) {
            long p = Values.asLong(ptrRaw, i);
            if (p < prev || p > hi) {
                throw new AnnDataFormatException(store, path + "/indptr",
                        "indptr decreases at row " + (from + i - 1) + " (" + prev + " then " + p + ")");
            }
            ptr[i] = (int) (p - lo);
            prev = p;
        }
        int nnz = (int) (hi - lo);
        long[] at = {lo};
        int[] count = {nnz};
        Object idxRaw = lease == null ? indices.read(at, count) : indices.read(at, count, lease);
        Object vals = lease == null ? data.read(at, count) : data.read(at, count, lease);
        int[] idx = Values.toIntArray(idxRaw);
        boolean unsigned64 = indices.dataType() == DataType.UINT64;
        if (idxRaw instanceof int[] && !unsigned64) {
            int check = checkRows(ptr, idx, (int) cols);
            if ((check & OUTSIDE) == 0) {
                return RowBlock.sparse(from, n, (int) cols, dataType, vals, ptr, idx, (check & UNSORTED) == 0);
            }
        }
        for (int i = 0; i < nnz; i++) {
            long c = unsigned64 || !(idxRaw instanceof int[]) ? Values.asLong(idxRaw, i) : idx[i];
            if (c < 0 || c >= cols) {
                int row = rowOf(ptr, i);
                throw new AnnDataFormatException(store, path + "/indices",
                        "column index " + (unsigned64 && c < 0 ? Long.toUnsignedString(c) : c)
                                + " out of range [0, " + cols + ") in row " + (from + row));
            }
        }
        return RowBlock.sparse(from, n, (int) cols, dataType, vals, ptr, idx);
    }

    private static final int OUTSIDE = 1;
    private static final int UNSORTED = 2;

    /**
     * One pass over the columns of a block: {@link #OUTSIDE} if any column is outside {@code [0,
     * width)}, {@link #UNSORTED} if some row's columns are not strictly ascending (scipy's
     * canonical CSR, what anndata writes, is; then rows need no sort downstream). The memory is
     * read once for both questions: on a busy machine these passes are bound by memory, not
     * arithmetic. The slow loop that names a culprit runs only when a column is outside.
     */
    private static int checkRows(int[] ptr, int[] columns, int width) {
        int outside = 0;
        int descents = 0;
        for (int r = 0; r + 1 < ptr.length; r++) {
            long both = checkRow(columns, ptr[r], ptr[r + 1], width - 1);
            outside |= (int) (both >>> 32);
            descents |= (int) both;
        }
        return (outside < 0 ? OUTSIDE : 0) | (descents < 0 ? UNSORTED : 0);
    }

    /**
     * High half negative iff a column of {@code [lo, hi)} is outside {@code [0, last]}; low half
     * negative iff a step is not upward. Branch-free ORs (columns in range cannot overflow the
     * differences; out-of-range ones are reported anyway).
     */
    private static long checkRow(int[] c, int lo, int hi, int last) {
        if (lo >= hi) {
            return 0;
        }
        int outside = c[lo] | (last - c[lo]);
        int descents = 0;
        // no value carried from one step to the next (c[i - 1] is read again), so that C2 can
        // vectorise the loop: this pass runs over every decoded column index
        for (int i = lo + 1; i < hi; i++) {
            outside |= c[i] | (last - c[i]);
            descents |= c[i] - c[i - 1] - 1;
        }
        return ((long) outside << 32) | (descents & 0xFFFFFFFFL);
    }

    private static int rowOf(int[] ptr, int pos) {
        int r = 0;
        while (r + 1 < ptr.length && ptr[r + 1] <= pos) {
            r++;
        }
        return r;
    }

    @Override
    public String toString() {
        return "MatrixElement{" + store + ":" + path + ", " + layout.id() + " " + rows + "x"
                + (rowShape == null ? String.valueOf(cols) : Arrays.toString(rowShape)) + " " + dataType.numpyName() + "}";
    }
}
