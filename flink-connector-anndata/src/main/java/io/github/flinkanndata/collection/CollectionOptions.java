package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.ContainerOptions;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The parameters of a collection, with lamindb {@code MappedCollection}'s names and defaults
 * (docs/semantics.md §2), already normalised and validated: build one with {@link #builder}
 * ({@link CollectionOptionsBuilder}).
 *
 * <p>Invariants after {@link CollectionOptionsBuilder#build()}: {@link #layersKeys()} is never null ({@code ["X"]}
 * by default); {@link #encodeKeys()} is the effective encode list (empty means
 * {@code encode_labels=false}) and only names {@link #obsKeys()} entries; every obs_filter value
 * list is non-empty and holds normalised labels ({@code Long}, {@code Double}, {@code Boolean},
 * {@code String}, {@link Missing#MISSING}). Immutable, serialisable, thread-safe.
 */
public final class CollectionOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> paths;
    private final List<String> layersKeys;
    @Nullable private final List<String> obsKeys;
    @Nullable private final List<String> obsmKeys;
    @Nullable private final Map<String, List<Object>> obsFilter;
    private final Join join;
    private final List<String> encodeKeys;
    // Exactly one of the two is used: a per-key map, or one label for every key (both may be null).
    @Nullable private final Map<String, Object> unknownLabelMap;
    @Nullable private final Object unknownLabel;
    private final boolean cacheCategories;
    private final boolean parallel;
    @Nullable private final OutputType dtype;
    private final ContainerOptions containerOptions;

    CollectionOptions(CollectionOptionsBuilder b, Join join, List<String> layersKeys,
            @Nullable Map<String, List<Object>> obsFilter, List<String> encodeKeys,
            @Nullable Map<String, Object> unknownLabelMap, @Nullable Object unknownLabel,
            @Nullable OutputType dtype) {
        this(List.copyOf(b.paths), layersKeys, b.obsKeys == null ? null : List.copyOf(b.obsKeys),
                b.obsmKeys == null ? null : List.copyOf(b.obsmKeys), obsFilter, join, encodeKeys,
                unknownLabelMap, unknownLabel, b.cacheCategories, b.parallel, dtype, b.containerOptions);
    }

    /**
     * Every field as it is, already normalised and validated (the invariants of the class
     * comment hold): for {@link CollectionPlanCodec}, which restores options that a build made.
     * At most one of {@code unknownLabelMap} and {@code unknownLabel} is non-null.
     */
    CollectionOptions(List<String> paths, List<String> layersKeys, @Nullable List<String> obsKeys,
            @Nullable List<String> obsmKeys, @Nullable Map<String, List<Object>> obsFilter, Join join,
            List<String> encodeKeys, @Nullable Map<String, Object> unknownLabelMap, @Nullable Object unknownLabel,
            boolean cacheCategories, boolean parallel, @Nullable OutputType dtype,
            ContainerOptions containerOptions) {
        this.paths = paths;
        this.layersKeys = layersKeys;
        this.obsKeys = obsKeys;
        this.obsmKeys = obsmKeys;
        this.obsFilter = obsFilter;
        this.join = join;
        this.encodeKeys = encodeKeys;
        this.unknownLabelMap = unknownLabelMap;
        this.unknownLabel = unknownLabel;
        this.cacheCategories = cacheCategories;
        this.parallel = parallel;
        this.dtype = dtype;
        this.containerOptions = containerOptions;
    }

    /** These options over other stores (a growing collection appends the stores it discovers). */
    CollectionOptions withPaths(List<String> newPaths) {
        return new CollectionOptions(List.copyOf(newPaths), layersKeys, obsKeys, obsmKeys, obsFilter, join,
                encodeKeys, unknownLabelMap, unknownLabel, cacheCategories, parallel, dtype, containerOptions);
    }

    /**
     * These options with other filter values and unknown labels: the planner's, once every text
     * label is typed by its column ({@link OptionLabels}). At most one of the two unknown-label
     * forms is non-null.
     */
    CollectionOptions withLabels(@Nullable Map<String, List<Object>> filter,
            @Nullable Map<String, Object> unknownMap, @Nullable Object unknownOne) {
        return new CollectionOptions(paths, layersKeys, obsKeys, obsmKeys, filter, join, encodeKeys,
                unknownMap == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(unknownMap)),
                unknownOne, cacheCategories, parallel, dtype, containerOptions);
    }

    /** A builder for a collection over these stores, in this order. */
    public static CollectionOptionsBuilder builder(List<String> paths) {
        return new CollectionOptionsBuilder(paths);
    }

    public static CollectionOptionsBuilder builder(String... paths) {
        return builder(List.of(paths));
    }

    public static CollectionOptionsBuilder builder(Path... paths) {
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            out.add(p.toString());
        }
        return builder(out);
    }

    /** The store locations, in collection order (the order defines {@code _store_idx}). */
    public List<String> paths() {
        return paths;
    }

    /** Matrices per sample: {@code X}, {@code raw.X} or a layer name; {@code ["X"]} by default. */
    public List<String> layersKeys() {
        return layersKeys;
    }

    @Nullable
    public List<String> obsKeys() {
        return obsKeys;
    }

    @Nullable
    public List<String> obsmKeys() {
        return obsmKeys;
    }

    /** key → accepted labels (OR), keys ANDed; null when there is no filter. */
    @Nullable
    public Map<String, List<Object>> obsFilter() {
        return obsFilter;
    }

    /** The requested join; the effective one may be {@link Join#NONE} (identical vars). */
    public Join join() {
        return join;
    }

    /** The effective encode list: the obs keys whose labels are encoded to integers. */
    public List<String> encodeKeys() {
        return encodeKeys;
    }

    /** The label encoded as -1 for an obs key, or null. */
    @Nullable
    public Object unknownLabelFor(String key) {
        return unknownLabelMap != null ? unknownLabelMap.get(key) : unknownLabel;
    }

    /** The per-key unknown labels (without null values), or null when none was given per key. */
    @Nullable
    Map<String, Object> unknownLabelMap() {
        return unknownLabelMap;
    }

    /** The one unknown label of every key, or null (always null when a per-key map was given). */
    @Nullable
    Object unknownLabelForEveryKey() {
        return unknownLabel;
    }

    /** Speed only: every answer is the same either way. */
    public boolean cacheCategories() {
        return cacheCategories;
    }

    /** Accepted for parity with lamindb; it never changes a value (docs/semantics.md §12). */
    public boolean parallel() {
        return parallel;
    }

    /** The output type of every matrix, or null for each element's stored type. */
    @Nullable
    public OutputType dtype() {
        return dtype;
    }

    public ContainerOptions containerOptions() {
        return containerOptions;
    }

    @Override
    public String toString() {
        return "CollectionOptions{paths=" + paths + ", layersKeys=" + layersKeys + ", obsKeys=" + obsKeys
                + ", obsmKeys=" + obsmKeys + ", obsFilter=" + obsFilter + ", join=" + join
                + ", encodeKeys=" + encodeKeys + ", unknownLabel="
                + (unknownLabelMap != null ? unknownLabelMap : unknownLabel) + ", dtype=" + dtype + "}";
    }
}
