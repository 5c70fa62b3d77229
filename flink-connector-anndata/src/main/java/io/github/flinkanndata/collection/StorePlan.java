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
 *
 * <p>Kept rows in transit: a plan decoded by {@link CollectionPlanCodec} without its kept rows
 * holds, for a filtered store, only their count. {@link #keptRows()} and the global index still
 * work; {@link #row(long)} and {@link #keptRowArray()} throw until the reader that opens the store
 * completes it ({@link CollectionPlanner#completeStore}, which {@link SampleDecoder#create} calls
 * by itself).
 */
public final class StorePlan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final long rows;
    // Invariants: !filtered -> keptRows == null && keptCount == rows;
    // filtered && keptRows != null -> keptCount == keptRows.length (the rows are ascending);
    // filtered && keptRows == null -> only the count travelled (see the class comment).
    private final boolean filtered;
    private final long keptCount;
    @Nullable private final int[] keptRows;
    private final long xCols;
    @Nullable private final int[] varIndices;
    private final boolean[] hasLayer;
    private final boolean[] hasObsm;
    private final boolean[] hasObs;

    /** A planned store: {@code keptRows} are the filter's rows, or null without a filter. */
    StorePlan(String path, long rows, @Nullable int[] keptRows, long xCols, @Nullable int[] varIndices,
            boolean[] hasLayer, boolean[] hasObsm, boolean[] hasObs) {
        this(path, rows, keptRows != null, keptRows == null ? rows : keptRows.length, keptRows, xCols,
                varIndices, hasLayer, hasObsm, hasObs);
    }

    private StorePlan(String path, long rows, boolean filtered, long keptCount, @Nullable int[] keptRows,
            long xCols, @Nullable int[] varIndices, boolean[] hasLayer, boolean[] hasObsm, boolean[] hasObs) {
        this.path = path;
        this.rows = rows;
        this.filtered = filtered;
        this.keptCount = keptCount;
        this.keptRows = keptRows;
        this.xCols = xCols;
        this.varIndices = varIndices;
        this.hasLayer = hasLayer;
        this.hasObsm = hasObsm;
        this.hasObs = hasObs;
    }

    /** A filtered store of which only the number of kept rows is known (a decoded plan). */
    static StorePlan filteredCountOnly(String path, long rows, long keptCount, long xCols,
            @Nullable int[] varIndices, boolean[] hasLayer, boolean[] hasObsm, boolean[] hasObs) {
        return new StorePlan(path, rows, true, keptCount, null, xCols, varIndices, hasLayer, hasObsm, hasObs);
    }

    StorePlan withVarIndices(@Nullable int[] indices) {
        return new StorePlan(path, rows, filtered, keptCount, keptRows, xCols, indices, hasLayer, hasObsm, hasObs);
    }

    /** This store with its kept rows filled in; {@code rows} must have the planned count. */
    StorePlan withKeptRows(int[] kept) {
        if (!filtered || kept.length != keptCount) {
            throw new IllegalArgumentException("store " + path + ": " + kept.length + " kept rows for a plan of "
                    + (filtered ? keptCount + " kept rows" : "an unfiltered store"));
        }
        return new StorePlan(path, rows, true, keptCount, kept, xCols, varIndices, hasLayer, hasObsm, hasObs);
    }

    /**
     * False only for a filtered store whose kept rows were left out in transit: then {@link
     * #row(long)} cannot answer until the plan is completed.
     */
    boolean isComplete() {
        return !filtered || keptRows != null;
    }

    /** The kept rows themselves (not a copy), or null when unfiltered or not complete. */
    @Nullable
    int[] keptRowsOrNull() {
        return keptRows;
    }

    public String path() {
        return path;
    }

    /** All rows of the store (X's first dimension), before the filter. */
    public long rows() {
        return rows;
    }

    /**
     * Rows kept by the filter ({@code n_obs_list[s]}); known even when the rows themselves were
     * left out in transit.
     */
    public long keptRows() {
        return keptCount;
    }

    /** True when a filter selected the rows (even if it kept all of them). */
    public boolean isFiltered() {
        return filtered;
    }

    /**
     * The local row of a position in {@code [0, keptRows())}.
     *
     * @throws IllegalStateException if the plan was decoded without its kept rows and this
     *     store was not completed ({@link CollectionPlanner#completeStore})
     */
    public long row(long position) {
        return filtered ? requireKeptRows()[Math.toIntExact(position)] : position;
    }

    private int[] requireKeptRows() {
        if (keptRows == null) {
            throw new IllegalStateException("store " + path + ": the plan holds only the number of kept rows ("
                    + keptCount + "), not the rows; complete it with CollectionPlanner.completeStore");
        }
        return keptRows;
    }

    /**
     * The kept local rows, ascending ({@code indices_list[s]}); a fresh array.
     *
     * @throws IllegalStateException as {@link #row(long)}
     */
    public long[] keptRowArray() {
        if (filtered) {
            requireKeptRows();
        }
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
     * The join's per-store index (docs/semantics.md §6.3/§6.4), or null without a join: inner, position
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
        return "StorePlan{" + path + ", rows=" + rows + ", kept=" + keptRows() + (isComplete() ? "" : " (count only)")
                + ", vars=" + xCols
                + (varIndices == null ? "" : ", varIndices=" + Arrays.toString(
                        varIndices.length > 8 ? Arrays.copyOf(varIndices, 8) : varIndices)) + "}";
    }
}
