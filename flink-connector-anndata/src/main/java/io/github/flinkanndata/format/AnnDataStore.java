package io.github.flinkanndata.format;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.Node;
import io.github.flinkanndata.format.tree.StoreFormat;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * One AnnData store (an {@code .h5ad} file or a zarr store), opened for reading: its matrices,
 * its obs and var dataframes, and the keys of its layers and obsm entries. Every layout anndata
 * has written since 0.6 is understood; what cannot be decoded fails with an {@link
 * AnnDataFormatException} naming the store and the element.
 *
 * <p>Opening reads metadata only. Thread-safe: several threads may read rows concurrently; {@link
 * #close()} must not race with reads.
 */
public final class AnnDataStore implements Closeable {
    private final Container container;
    @Nullable private final MatrixElement x;
    private final DataFrame obs;
    private final DataFrame var;

    private AnnDataStore(Container container) throws AnnDataFormatException {
        this.container = container;
        Node xNode = container.node("X");
        this.x = xNode == null ? null : MatrixElement.of(container, xNode);
        this.obs = DataFrame.open(container, "obs");
        this.var = DataFrame.open(container, "var");
        if (x != null && x.layout() != MatrixLayout.DATAFRAME) {
            checkLength(x.rows(), obs.length(), "X rows", "obs");
            checkLength(x.cols(), var.length(), "X columns", "var");
        }
    }

    private void checkLength(long found, long expected, String what, String against)
            throws AnnDataFormatException {
        if (found != expected) {
            throw new AnnDataFormatException(container.location(), "X",
                    what + " (" + found + ") differ from the length of " + against + " (" + expected + ")");
        }
    }

    /** Opens a store with default options; the caller closes it. */
    public static AnnDataStore open(Path path) throws AnnDataFormatException {
        return open(path, ContainerOptions.defaults());
    }

    public static AnnDataStore open(Path path, ContainerOptions options) throws AnnDataFormatException {
        return wrap(Containers.open(path, options));
    }

    /** Opens a remote store in place, read by ranges ({@link Containers#open(io.github.flinkanndata.format.remote.RangeReader, ContainerOptions)}). */
    public static AnnDataStore open(io.github.flinkanndata.format.remote.RangeReader reader, ContainerOptions options)
            throws AnnDataFormatException {
        return wrap(Containers.open(reader, options));
    }

    /** Reads the AnnData structure of an open container; closes the container if that fails. */
    public static AnnDataStore wrap(Container container) throws AnnDataFormatException {
        try {
            return new AnnDataStore(container);
        } catch (AnnDataFormatException | RuntimeException e) {
            try {
                container.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public String location() {
        return container.location();
    }

    public StoreFormat format() {
        return container.format();
    }

    /** The underlying tree, for tools that need elements this class does not interpret. */
    public Container container() {
        return container;
    }

    /** X, or null when the store has none (anndata allows {@code AnnData(shape=...)} without X). */
    @Nullable
    public MatrixElement x() {
        return x;
    }

    /** Number of cells: X's rows, or obs' length when there is no X. */
    public long nObs() {
        return x != null && x.layout() != MatrixLayout.DATAFRAME ? x.rows() : obs.length();
    }

    /** Number of genes: X's columns, or var's length when there is no X. */
    public long nVars() {
        return x != null && x.layout() != MatrixLayout.DATAFRAME ? x.cols() : var.length();
    }

    public DataFrame obs() {
        return obs;
    }

    public DataFrame var() {
        return var;
    }

    /** Names of the layers, sorted. */
    public List<String> layerKeys() throws AnnDataFormatException {
        return groupChildren("layers");
    }

    /** Names of the obsm entries, sorted (fields of a pre-0.7 compound obsm). */
    public List<String> obsmKeys() throws AnnDataFormatException {
        Node obsm = container.node("obsm");
        if (obsm instanceof ArrayNode && ((ArrayNode) obsm).dataType() == DataType.COMPOUND) {
            List<String> fields = new ArrayList<>(((ArrayNode) obsm).fieldNames());
            fields.sort(null);
            return fields;
        }
        return groupChildren("obsm");
    }

    /**
     * Whether the store has a raw part: a {@code raw} group with X, or the pre-0.7 root-level
     * {@code raw.X}. (lamindb reads only the former: see {@link #matrix}.)
     */
    public boolean hasRaw() throws AnnDataFormatException {
        return rawX() != null || container.node("raw.X") != null;
    }

    /**
     * A matrix element by its lamindb key: {@code X}, {@code raw.X} (the {@code raw/X} element),
     * {@code layers/<k>} or {@code obsm/<k>} (also {@code obsp/<k>}, {@code varm/<k>}, {@code
     * varp/<k>}); null when the store lacks it. The pre-0.7 root-level {@code raw.X} is not
     * recognised, as in lamindb.
     *
     * @throws AnnDataFormatException if the element cannot be interpreted, or if its shape
     *     disagrees with the axes it is aligned with (a layer must be n_obs x n_vars, an obsm entry
     *     must have n_obs rows, and so on, as anndata requires)
     */
    @Nullable
    public MatrixElement matrix(String key) throws AnnDataFormatException {
        if ("X".equals(key)) {
            return x;
        }
        if ("raw.X".equals(key) || "raw/X".equals(key)) {
            MatrixElement raw = rawX();
            if (raw != null) {
                checkRaw(raw);
            }
            return raw;
        }
        MatrixElement m = null;
        Node obsm = key.startsWith("obsm/") ? container.node("obsm") : null;
        if (obsm instanceof ArrayNode) {
            ArrayNode compound = (ArrayNode) obsm;
            String name = key.substring(5);
            if (!compound.fieldNames().contains(name)) {
                return null;
            }
            m = MatrixElement.compoundField(compound, name);
        } else {
            Node node = container.node(key);
            // obsm entries may have more than two dimensions (docs/semantics.md §7.1); X and layers not
            m = node == null ? null : MatrixElement.of(container, node, key.startsWith("obsm/"));
        }
        if (m != null) {
            checkAligned(key, m);
        }
        return m;
    }

    /**
     * anndata aligns every element with the axes it annotates and refuses to read a store where
     * they disagree: a layer is n_obs x n_vars, obsm and varm entries have n_obs and n_vars rows,
     * obsp and varp entries are n_obs x n_obs and n_vars x n_vars. Checked when the element is
     * opened, so a collection refuses such a store while planning, before any row is read. Without
     * it a corrupt shape was read as it stood: the reader fuzzer found a layer of 8,388,608 columns
     * in a store of no genes, which the source read as rows of millions of zeros.
     */
    private void checkAligned(String key, MatrixElement m) throws AnnDataFormatException {
        int slash = key.indexOf('/');
        if (slash < 0 || key.indexOf('/', slash + 1) >= 0) {
            return; // not an entry of an aligned mapping
        }
        String mapping = key.substring(0, slash);
        switch (mapping) {
            case "layers":
                checkAxis(m, "rows", rows(m), nObs(), "obs", "a layer must be n_obs x n_vars");
                checkAxis(m, "columns", m.cols(), nVars(), "var", "a layer must be n_obs x n_vars");
                break;
            case "obsm":
                checkAxis(m, "rows", rows(m), nObs(), "obs", "an obsm entry has one row per cell");
                break;
            case "varm":
                checkAxis(m, "rows", rows(m), nVars(), "var", "a varm entry has one row per gene");
                break;
            case "obsp":
                checkAxis(m, "rows", rows(m), nObs(), "obs", "an obsp entry is n_obs x n_obs");
                checkAxis(m, "columns", m.cols(), nObs(), "obs", "an obsp entry is n_obs x n_obs");
                break;
            case "varp":
                checkAxis(m, "rows", rows(m), nVars(), "var", "a varp entry is n_vars x n_vars");
                checkAxis(m, "columns", m.cols(), nVars(), "var", "a varp entry is n_vars x n_vars");
                break;
            default:
                break;
        }
    }

    /**
     * raw shares the cells and has variables of its own: raw/X has n_obs rows and as many columns
     * as raw/var has rows (anndata's Raw checks the latter; raw/X rows are addressed by cell, so a
     * different count cannot be read by obs position). A raw without raw/var gets a default var.
     */
    private void checkRaw(MatrixElement raw) throws AnnDataFormatException {
        checkAxis(raw, "rows", rows(raw), nObs(), "obs", "raw shares the cells of X");
        if (container.node("raw/var") != null) {
            long rawVars = DataFrame.open(container, "raw/var").length();
            checkAxis(raw, "columns", raw.cols(), rawVars, "raw/var", "raw/X has one column per raw variable");
        }
    }

    /** Rows of an element; a dataframe entry (obsm) counts the rows of its index. */
    private long rows(MatrixElement m) throws AnnDataFormatException {
        return m.layout() == MatrixLayout.DATAFRAME ? DataFrame.open(container, m.path()).length() : m.rows();
    }

    private void checkAxis(MatrixElement m, String what, long found, long expected, String axis, String rule)
            throws AnnDataFormatException {
        // a dataframe entry has rows but no numeric columns
        if (found != expected && !(m.layout() == MatrixLayout.DATAFRAME && "columns".equals(what))) {
            throw new AnnDataFormatException(container.location(), m.path(),
                    "has " + found + " " + what + " but " + axis + " has " + expected + " (" + rule + ")");
        }
    }

    @Nullable
    private MatrixElement rawX() throws AnnDataFormatException {
        Node raw = container.node("raw");
        if (!(raw instanceof GroupNode)) {
            return null; // absent, or anndata's `null` element
        }
        Node rx = container.node("raw/X");
        return rx == null ? null : MatrixElement.of(container, rx);
    }

    private List<String> groupChildren(String path) throws AnnDataFormatException {
        Node n = container.node(path);
        return n instanceof GroupNode ? ((GroupNode) n).children() : List.of();
    }

    /** The named child of a group; an error naming it when it is not there. */
    static Node child(Container c, GroupNode g, String name) throws AnnDataFormatException {
        String path = g.path().isEmpty() ? name : g.path() + "/" + name;
        Node n = c.node(path);
        if (n == null) {
            throw new AnnDataFormatException(c.location(), path, "missing");
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        container.close();
    }

    @Override
    public String toString() {
        return "AnnDataStore{" + location() + "}";
    }
}
