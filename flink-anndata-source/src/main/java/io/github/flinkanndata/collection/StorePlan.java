package io.github.flinkanndata.collection;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import javax.annotation.Nullable;

/**
 * What the plan knows about one store: its location, row counts, the rows the filter kept, the
 * variable mapping of the join, and which requested keys it has. Pure data: no handles.
 *
 * <p>Positions: the store's kept rows are numbered {@code 0..keptRows()-1} ("positions"); {@link
 * #row(long)} maps a position to the store's local (unfiltered) row. Without a filter the two
 * coincide. Immutable by convention (arrays are never modified after planning), serialisable.
 */
public final class StorePlan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final long rows;
    @Nullable private final int[] keptRows;
    private final long xCols;
    @Nullable private final int[] varIndices;
    private final boolean[] hasLayer;
    private final boolean[] hasObsm;
    private final boolean[] hasObs;

    StorePlan(String path, long rows, @Nullable int[] keptRows, long xCols, @Nullable int[] varIndices,
            boolean[] hasLayer, boolean[] hasObsm, boolean[] hasObs) {
        this.path = path;
        this.rows = rows;
        this.keptRows = keptRows;
        this.xCols = xCols;
        this.varIndices = varIndices;
        this.hasLayer = hasLayer;
        this.hasObsm = hasObsm;
        this.hasObs = hasObs;
    }

    StorePlan withVarIndices(@Nullable int[] indices) {
        return new StorePlan(path, rows, keptRows, xCols, indices, hasLayer, hasObsm, hasObs);
    }

    public String path() {
        return path;
    }

    /** All rows of the store (X's first dimension), before the filter. */
    public long rows() {
        return rows;
    }

    /** Rows kept by the filter ({@code n_obs_list[s]}). */
    public long keptRows() {
        return keptRows == null ? rows : keptRows.length;
    }

    /** True when a filter selected the rows (even if it kept all of them). */
    public boolean isFiltered() {
        return keptRows != null;
    }

    /** The local row of a position in {@code [0, keptRows())}. */
    public long row(long position) {
        return keptRows == null ? position : keptRows[Math.toIntExact(position)];
    }

    /** The kept local rows, ascending ({@code indices_list[s]}); a fresh array. */
    public long[] keptRowArray() {
        long[] out = new long[Math.toIntExact(keptRows())];
        for (int i = 0; i < out.length; i++) {
            out[i] = row(i);
        }
        return out;
    }

    /** X's width: the store's number of variables. */
    public long xCols() {
        return xCols;
    }

    /**
     * The join's per-store index (semantics §6.3/§6.4), or null without a join: inner, position
     * in this store of joint var {@code j}; outer, position in the joint list of this store's var
     * {@code k}. The array itself; callers must not modify it.
     */
    @Nullable
    public int[] varIndices() {
        return varIndices;
    }

    /** Whether this store has the {@code i}-th requested layers key. */
    public boolean hasLayer(int i) {
        return hasLayer[i];
    }

    public boolean hasObsm(int i) {
        return hasObsm[i];
    }

    public boolean hasObs(int i) {
        return hasObs[i];
    }

    /** The requested keys this store has, in request order. */
    static String[] present(List<String> keys, boolean[] has, String prefix) {
        return java.util.stream.IntStream.range(0, keys.size()).filter(i -> has[i])
                .mapToObj(i -> prefix + keys.get(i)).toArray(String[]::new);
    }

    boolean[] layerMask() {
        return hasLayer;
    }

    boolean[] obsmMask() {
        return hasObsm;
    }

    boolean[] obsMask() {
        return hasObs;
    }

    @Override
    public String toString() {
        return "StorePlan{" + path + ", rows=" + rows + ", kept=" + keptRows() + ", vars=" + xCols
                + (varIndices == null ? "" : ", varIndices=" + Arrays.toString(
                        varIndices.length > 8 ? Arrays.copyOf(varIndices, 8) : varIndices)) + "}";
    }
}
