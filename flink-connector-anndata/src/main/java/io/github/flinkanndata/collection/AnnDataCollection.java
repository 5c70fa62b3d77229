package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * lamindb's {@code MappedCollection} in Java: many AnnData stores seen as one map-style dataset
 * of samples, with the same answers sample for sample ({@code docs/semantics.md}).
 *
 * <pre>{@code
 * try (AnnDataCollection c = AnnDataCollection.open(
 *         CollectionOptions.builder("a.h5ad", "b.zarr").obsKeys("cell_type").join("outer").build())) {
 *     Sample s = c.get(0);            // s.asMap(): {_store_idx, X, cell_type}
 *     double[] w = c.labelWeights(List.of("cell_type"), null);
 * }
 * }</pre>
 *
 * <p>Opening plans the collection ({@link CollectionPlanner}) and keeps every store open;
 * samples are decoded by one {@link SampleDecoder} per store, so {@link #get} and {@link
 * #getRange} return the same records. If opening fails, every store opened so far is closed.
 *
 * <p>Thread-safe: any number of threads may read concurrently. {@link #close()} waits for
 * running reads; reads after it throw {@link IllegalStateException}.
 */
public final class AnnDataCollection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnnDataCollection.class);
    private final CollectionPlan plan;
    private final List<AnnDataStore> stores;
    private final List<StoreResolver.Lease> leases;
    private final SampleDecoder[] decoders;
    private final VarLists vars;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private AnnDataCollection(CollectionPlan plan, List<AnnDataStore> stores, List<StoreResolver.Lease> leases)
            throws AnnDataFormatException {
        this.plan = plan;
        this.stores = List.copyOf(stores);
        this.leases = List.copyOf(leases);
        this.decoders = new SampleDecoder[stores.size()];
        for (int s = 0; s < decoders.length; s++) {
            decoders[s] = SampleDecoder.create(plan, s, stores.get(s));
        }
        this.vars = new VarLists(this.stores, plan.options().join() != Join.NONE);
    }

    /**
     * Opens the stores and plans the collection.
     *
     * @throws AnnDataFormatException for a store that cannot be opened or decoded (naming it)
     *     and the {@link CollectionException}s of {@link CollectionPlanner#plan}
     */
    public static AnnDataCollection open(CollectionOptions options) throws AnnDataFormatException {
        return open(options, StoreResolver.LOCAL);
    }

    /**
     * As {@link #open(CollectionOptions)}, with each path turned into a local one by {@code
     * resolver} (for stores that live elsewhere, e.g. in an object store). The plan keeps the
     * paths as given; the resolver's leases are released when the collection closes.
     */
    public static AnnDataCollection open(CollectionOptions options, StoreResolver resolver)
            throws AnnDataFormatException {
        return open(options.paths(), options, null, resolver);
    }

    /**
     * Opens the stores of an existing plan without planning again (the reader side). A plan
     * decoded without kept rows is completed from the stores ({@link
     * CollectionPlanner#completeStore}); {@link #plan()} then returns the completed plan.
     */
    public static AnnDataCollection open(CollectionPlan plan) throws AnnDataFormatException {
        return open(plan, StoreResolver.LOCAL);
    }

    /** As {@link #open(CollectionPlan)}, with the paths resolved by {@code resolver}. */
    public static AnnDataCollection open(CollectionPlan plan, StoreResolver resolver) throws AnnDataFormatException {
        List<String> paths = new ArrayList<>();
        plan.stores().forEach(s -> paths.add(s.path()));
        return open(paths, plan.options(), plan, resolver);
    }

    private static AnnDataCollection open(List<String> paths, CollectionOptions options, @Nullable CollectionPlan plan,
            StoreResolver resolver) throws AnnDataFormatException {
        List<AnnDataStore> opened = new ArrayList<>();
        List<StoreResolver.Lease> leases = new ArrayList<>();
        try {
            for (String path : paths) {
                StoreResolver.Lease lease = resolver.lease(path);
                leases.add(lease);
                opened.add(StoreResolver.open(path, lease, options.containerOptions()));
            }
            // a plan decoded without kept rows is completed here, so indicesList() and the label
            // queries (which read rows by position) work as on the planning side
            CollectionPlan p = plan != null
                    ? CollectionPlanner.complete(plan, opened) : CollectionPlanner.plan(options, opened);
            for (String w : p.warnings()) {
                LOG.warn("{}", w);
            }
            return new AnnDataCollection(p, opened, leases);
        } catch (AnnDataFormatException | RuntimeException | Error e) {
            closeAll(opened, e);
            leases.forEach(StoreResolver.Lease::close);
            throw e;
        }
    }

    /** Closes every store; returns the first failure (later ones suppressed into it), or null. */
    @Nullable
    private static IOException closeAll(List<AnnDataStore> stores, @Nullable Throwable primary) {
        IOException first = null;
        for (AnnDataStore s : stores) {
            try {
                s.close();
            } catch (IOException e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }

    /**
     * The sample at global index {@code i}; a negative {@code i} counts from the end, as in Python.
     *
     * @throws IndexOutOfBoundsException if {@code i} is outside {@code [-size(), size())}
     */
    public Sample get(long i) throws AnnDataFormatException {
        return read(() -> {
            long g = wrap(i);
            int s = plan.storeOf(g);
            long pos = g - plan.offset(s);
            return decoders[s].decode(pos, pos + 1, false).get(0);
        });
    }

    /** The samples {@code [from, to)} in dense form, read store by store in range reads. */
    public List<Sample> getRange(long from, long to) throws AnnDataFormatException {
        return getRange(from, to, false);
    }

    /** As {@link #getRange(long, long)}, with matrix rows produced in sparse form if asked. */
    public List<Sample> getRange(long from, long to, boolean sparse) throws AnnDataFormatException {
        return read(() -> {
            if (from < 0 || to < from || to > plan.size()) {
                throw new IndexOutOfBoundsException(
                        "range [" + from + ", " + to + ") outside [0, " + plan.size() + ")");
            }
            List<Sample> out = new ArrayList<>(Math.toIntExact(to - from));
            long g = from;
            while (g < to) {
                int s = plan.storeOf(g);
                long end = Math.min(to, plan.offset(s + 1));
                out.addAll(decoders[s].decode(g - plan.offset(s), end - plan.offset(s), sparse));
                g = end;
            }
            return out;
        });
    }

    private long wrap(long i) {
        long g = i < 0 ? i + plan.size() : i;
        if (g < 0 || g >= plan.size()) {
            throw new IndexOutOfBoundsException("index " + i + " out of range for a collection of " + plan.size());
        }
        return g;
    }

    /** {@code len()}: the number of samples after the filter. */
    public long size() {
        return plan.size();
    }

    /** {@code (n_obs, n_vars)}; {@code n_vars} is null without a join. */
    public Shape shape() {
        Integer n = plan.nVars();
        return new Shape(plan.size(), n == null ? null : (long) n);
    }

    /**
     * Per store {@code (kept rows, var count)}; the var count is null under {@code join=NONE}
     * until {@link #checkVarsSorted} or {@link #checkVarsNonAligned} read the var names.
     */
    public List<Shape> originalShapes() {
        boolean known = vars.isRead();
        List<Shape> out = new ArrayList<>();
        for (StorePlan s : plan.stores()) {
            out.add(new Shape(s.keptRows(), known ? (Long) s.xCols() : null));
        }
        return out;
    }

    public long[] nObsList() {
        return plan.nObsList();
    }

    public List<long[]> indicesList() {
        return plan.indicesList();
    }

    /** The store of global index {@code i} (negative counts from the end). */
    public int storageIndex(long i) {
        return plan.storeOf(wrap(i));
    }

    @Nullable
    public List<String> varJoint() {
        return plan.varJoint();
    }

    public Join effectiveJoin() {
        return plan.effectiveJoin();
    }

    /** The join's per-store indices, or null when there is no (effective) join. */
    @Nullable
    public List<int[]> varIndices() {
        return plan.varIndices();
    }

    public Map<String, LabelEncoder> encoders() {
        return plan.encoders();
    }

    /** The sorted categories of any obs key over all stores (unfiltered); empty if no store has it. */
    public List<Object> mergedCategories(String key) throws AnnDataFormatException {
        return read(() -> Collections.unmodifiableList(MergedCategories.merge(key, columns(), plan.options().paths())));
    }

    /** One label per sample (MISSING where missing or where the store lacks the key). */
    public List<Object> mergedLabels(String key) throws AnnDataFormatException {
        return read(() -> Collections.unmodifiableList(LabelQueries.mergedLabels(key, plan, columns())));
    }

    /** Per-sample weights {@code 1/count} (or {@code scaler/(count+scaler)}) of the label classes. */
    public double[] labelWeights(List<String> keys, @Nullable Double scaler) throws AnnDataFormatException {
        return read(() -> LabelQueries.weights(keys, scaler, plan, columns()));
    }

    /** Class string → weight in first-seen order (lamindb's {@code return_categories=True}). */
    public LinkedHashMap<String, Double> labelWeightsByClass(List<String> keys, @Nullable Double scaler)
            throws AnnDataFormatException {
        return read(() -> LabelQueries.weightsByClass(keys, scaler, plan, columns()));
    }

    /** Whether every store's var names are sorted (non-strictly, by code point). */
    public boolean checkVarsSorted(boolean ascending) throws AnnDataFormatException {
        return read(() -> vars.sorted(ascending));
    }

    /** The stores whose var names differ from {@code names} (names or order), ascending. */
    public List<Integer> checkVarsNonAligned(List<String> names) throws AnnDataFormatException {
        return read(() -> vars.nonAligned(names));
    }

    /** The plan: pure data, serialisable, for readers that open their own stores. */
    public CollectionPlan plan() {
        return plan;
    }

    private ObsColumns columns() {
        return new ObsColumns(stores);
    }

    /** A read of the stores: under the read lock, after the open check. */
    private interface Read<T> {
        T run() throws AnnDataFormatException;
    }

    private <T> T read(Read<T> op) throws AnnDataFormatException {
        lock.readLock().lock();
        try {
            checkOpen();
            return op.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the collection is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes every store; idempotent. Waits for running reads. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOException failure = closeAll(stores, null);
            leases.forEach(StoreResolver.Lease::close);
            if (failure != null) {
                throw new UncheckedIOException("closing the collection's stores failed", failure);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "AnnDataCollection{" + plan + (closed ? ", closed" : "") + "}";
    }
}
