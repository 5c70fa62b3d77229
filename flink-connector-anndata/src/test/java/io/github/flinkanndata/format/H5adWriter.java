package io.github.flinkanndata.format;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;

/**
 * Writes small h5ad stores with jhdf's writer, for tests that need shapes anndata itself would
 * never write (misaligned elements): obs and var dataframes of generated names, a dense X, and
 * whatever else a test adds with the helpers. Groups carry anndata's encoding attributes.
 */
final class H5adWriter implements AutoCloseable {
    final WritableHdfFile file;
    final int nObs;
    final int nVars;

    private H5adWriter(Path path, int nObs, int nVars) {
        this.file = HdfFile.write(path);
        this.nObs = nObs;
        this.nVars = nVars;
        encoding(file, "anndata", "0.1.0");
        dataframe(file, "obs", nObs, "cell");
        dataframe(file, "var", nVars, "gene");
        file.putDataset("X", dense(nObs, nVars));
    }

    /** A store of {@code nObs} cells and {@code nVars} genes with a dense X; close() writes it. */
    static H5adWriter create(Path path, int nObs, int nVars) {
        return new H5adWriter(path, nObs, nVars);
    }

    /** The group of an aligned mapping ({@code layers}, {@code obsm}, ...), created on first use. */
    WritableGroup mapping(String name) {
        if (file.getChild(name) == null) {
            encoding(file.putGroup(name), "dict", "0.1.0");
        }
        return (WritableGroup) file.getChild(name);
    }

    /** A dense float32 entry of a mapping. */
    H5adWriter dense(String mapping, String name, int rows, int cols) {
        mapping(mapping).putDataset(name, dense(rows, cols));
        return this;
    }

    /** A CSR entry of a mapping declaring {@code rows x cols}, one value per row in column 0. */
    H5adWriter csr(String mapping, String name, int rows, int cols) {
        csr(mapping(mapping), name, rows, cols);
        return this;
    }

    /** raw/X (dense, {@code rows x cols}) and raw/var of {@code rawVars} rows. */
    H5adWriter raw(int rows, int cols, int rawVars) {
        WritableGroup raw = file.putGroup("raw");
        encoding(raw, "raw", "0.1.0");
        raw.putDataset("X", dense(rows, cols));
        dataframe(raw, "var", rawVars, "raw_gene");
        return this;
    }

    static void csr(WritableGroup parent, String name, int rows, int cols) {
        WritableGroup g = parent.putGroup(name);
        encoding(g, "csr_matrix", "0.1.0");
        g.putAttribute("shape", new long[] {rows, cols});
        float[] data = new float[rows];
        int[] indices = new int[rows];
        int[] indptr = new int[rows + 1];
        for (int r = 0; r < rows; r++) {
            data[r] = r + 1;
            indptr[r + 1] = r + 1;
        }
        g.putDataset("data", data);
        g.putDataset("indices", indices);
        g.putDataset("indptr", indptr);
    }

    static float[][] dense(int rows, int cols) {
        float[][] v = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r][c] = r * 100 + c;
            }
        }
        return v;
    }

    private static void dataframe(WritableGroup parent, String name, int rows, String prefix) {
        WritableGroup g = parent.putGroup(name);
        encoding(g, "dataframe", "0.2.0");
        g.putAttribute("_index", "_index");
        String[] names = new String[rows];
        for (int i = 0; i < rows; i++) {
            names[i] = prefix + i;
        }
        g.putDataset("_index", names);
    }

    private static void encoding(WritableGroup g, String type, String version) {
        g.putAttribute("encoding-type", type);
        g.putAttribute("encoding-version", version);
    }

    @Override
    public void close() {
        file.close();
    }
}
