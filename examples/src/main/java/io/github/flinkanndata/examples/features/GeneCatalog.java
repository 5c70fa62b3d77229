package io.github.flinkanndata.examples.features;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.examples.common.JobRuntime;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The genes of the matrix rows the pipeline sees, in row order, and which of them are
 * mitochondrial. Read once when the job is built and shipped with the functions.
 *
 * <p>The names are the collection's joint var list under a join ({@link
 * AnnDataCollection#varJoint()}); without one ({@code --join none}), rows come in each store's own
 * var order, so every store must list the same genes in the same order, or the per-gene
 * statistics would add up different genes.
 *
 * <p>A gene is mitochondrial when its name starts with the prefix ({@code MT-} by default),
 * compared ignoring case: {@code MT-ND1} (human) and {@code mt-Nd1} (mouse) both are.
 */
final class GeneCatalog implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final boolean[] mito;
    private final int mitoCount;

    GeneCatalog(List<String> names, String mitoPrefix) {
        this.names = names.toArray(new String[0]);
        this.mito = new boolean[this.names.length];
        int n = 0;
        for (int j = 0; j < this.names.length; j++) {
            mito[j] = isMito(this.names[j], mitoPrefix);
            n += mito[j] ? 1 : 0;
        }
        this.mitoCount = n;
    }

    /** Whether {@code gene} starts with {@code prefix}, ignoring case; an empty prefix matches nothing. */
    static boolean isMito(String gene, String prefix) {
        return !prefix.isEmpty() && gene.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /**
     * The genes of an open collection's rows: its joint var list, or the var names every store
     * shares when there is no join.
     *
     * @throws IllegalArgumentException when there is no join and the stores' genes differ
     */
    static GeneCatalog of(JobRuntime runtime, AnnDataCollection collection, List<String> paths, String mitoPrefix)
            throws AnnDataFormatException, IOException {
        List<String> joint = collection.varJoint();
        if (joint != null) {
            return new GeneCatalog(joint, mitoPrefix);
        }
        List<String> first = null;
        for (String path : paths) {
            List<String> vars;
            vars = runtime.varIndex(path);
            if (first == null) {
                first = new ArrayList<>(vars);
            } else if (!first.equals(vars)) {
                throw new IllegalArgumentException("without a join every store must have the genes of " + paths.get(0)
                        + " in the same order, but " + path + " differs: use --join inner or --join outer");
            }
        }
        return new GeneCatalog(first == null ? List.of() : first, mitoPrefix);
    }

    int size() {
        return names.length;
    }

    String name(int j) {
        return names[j];
    }

    List<String> names() {
        return List.of(names);
    }

    boolean isMito(int j) {
        return mito[j];
    }

    /** Whether any gene is mitochondrial; without one there is no mito fraction. */
    boolean hasMito() {
        return mitoCount > 0;
    }

    int mitoCount() {
        return mitoCount;
    }
}
