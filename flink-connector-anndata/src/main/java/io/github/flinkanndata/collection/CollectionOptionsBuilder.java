package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.ContainerOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Builds {@link CollectionOptions} with lamindb's parameter names and defaults. It collects raw
 * parameters; {@link #build()} normalises and validates them in the order of docs/semantics.md §2.1, so
 * that the first error reported is the one Python reports. Not thread-safe.
 */
public final class CollectionOptionsBuilder {
    final List<String> paths;
    @Nullable private List<String> layersKeys;
    @Nullable List<String> obsKeys; // read by CollectionOptions' constructor, like the fields below
    @Nullable List<String> obsmKeys;
    @Nullable private Map<String, Object> obsFilter;
    @Nullable private Object join = Join.INNER; // a Join, or a String parsed at build()
    private Object encodeLabels = Boolean.TRUE; // a Boolean or a List<String>
    @Nullable private Object unknownLabel; // a label, or a Map<String, ?>
    boolean cacheCategories = true;
    boolean parallel;
    @Nullable private Object dtype; // an OutputType, or a String parsed at build()
    ContainerOptions containerOptions = ContainerOptions.defaults();

    CollectionOptionsBuilder(List<String> paths) {
        this.paths = List.copyOf(paths);
    }

    /** null restores the default {@code ["X"]}; an empty list returns no matrix. */
    public CollectionOptionsBuilder layersKeys(@Nullable List<String> keys) {
        this.layersKeys = copy(keys);
        return this;
    }

    public CollectionOptionsBuilder layersKeys(String... keys) {
        return layersKeys(java.util.Arrays.asList(keys));
    }

    public CollectionOptionsBuilder obsKeys(@Nullable List<String> keys) {
        this.obsKeys = copy(keys);
        return this;
    }

    public CollectionOptionsBuilder obsKeys(String... keys) {
        return obsKeys(java.util.Arrays.asList(keys));
    }

    public CollectionOptionsBuilder obsmKeys(@Nullable List<String> keys) {
        this.obsmKeys = copy(keys);
        return this;
    }

    public CollectionOptionsBuilder obsmKeys(String... keys) {
        return obsmKeys(java.util.Arrays.asList(keys));
    }

    /**
     * The whole filter: key → one label or a collection of labels. {@code null}, NaN and
     * {@link Missing#MISSING} select missing labels. Replaces earlier filter entries.
     */
    public CollectionOptionsBuilder obsFilter(@Nullable Map<String, ?> filter) {
        this.obsFilter = filter == null ? null : new LinkedHashMap<>(filter);
        return this;
    }

    /** Adds one filter key with its accepted labels (see {@link #obsFilter(Map)}). */
    public CollectionOptionsBuilder obsFilter(String key, Object... values) {
        if (obsFilter == null) {
            obsFilter = new LinkedHashMap<>();
        }
        obsFilter.put(key, values.length == 1 ? values[0] : java.util.Arrays.asList(values));
        return this;
    }

    // nulls are reported by build(), with the parameter's name
    @Nullable
    private static List<String> copy(@Nullable List<String> keys) {
        return keys == null ? null : Collections.unmodifiableList(new java.util.ArrayList<>(keys));
    }

    public CollectionOptionsBuilder join(Join join) {
        this.join = join;
        return this;
    }

    /** The lamindb spelling: {@code "inner"}, {@code "outer"} or null; checked at build(). */
    public CollectionOptionsBuilder join(@Nullable String join) {
        this.join = join;
        return this;
    }

    /** true: every obs key; false: none. */
    public CollectionOptionsBuilder encodeLabels(boolean all) {
        this.encodeLabels = all;
        return this;
    }

    /** Only these obs keys (an empty list means false). */
    public CollectionOptionsBuilder encodeLabels(List<String> keys) {
        this.encodeLabels = List.copyOf(keys);
        return this;
    }

    /** One label encoded as -1 for every encoded key; null for none. */
    public CollectionOptionsBuilder unknownLabel(@Nullable Object label) {
        this.unknownLabel = label;
        return this;
    }

    /** A label per encoded key. */
    public CollectionOptionsBuilder unknownLabel(Map<String, ?> perKey) {
        this.unknownLabel = new LinkedHashMap<>(perKey);
        return this;
    }

    public CollectionOptionsBuilder cacheCategories(boolean cache) {
        this.cacheCategories = cache;
        return this;
    }

    public CollectionOptionsBuilder parallel(boolean parallel) {
        this.parallel = parallel;
        return this;
    }

    public CollectionOptionsBuilder dtype(@Nullable OutputType dtype) {
        this.dtype = dtype;
        return this;
    }

    /** A numpy type name ({@code float32}, ...) or null; checked at build(). */
    public CollectionOptionsBuilder dtype(@Nullable String dtype) {
        this.dtype = dtype;
        return this;
    }

    public CollectionOptionsBuilder containerOptions(ContainerOptions options) {
        this.containerOptions = java.util.Objects.requireNonNull(options);
        return this;
    }

    /**
     * Normalises and validates, in the order of docs/semantics.md §2.1 (steps 1-5), then checks what
     * §2.1 leaves to later steps but needs no store: a non-empty path list and the dtype.
     *
     * @throws IllegalArgumentException with the message of the first failing rule
     */
    public CollectionOptions build() {
        Join j = join instanceof Join ? (Join) join : Join.parse((String) join); // step 1
        Map<String, List<Object>> filter = OptionRules.normalizeFilter(obsFilter); // step 2
        List<String> layers = layersKeys == null ? List.of("X") : layersKeys; // step 3
        OptionRules.checkKeys("layers_keys", layers);
        OptionRules.checkKeys("obs_keys", obsKeys);
        OptionRules.checkKeys("obsm_keys", obsmKeys);
        List<String> encode = OptionRules.encodeKeys(encodeLabels, obsKeys); // step 4
        Map<String, Object> unknownMap = null; // step 5
        Object unknownOne = null;
        if (unknownLabel instanceof Map) {
            unknownMap = OptionRules.unknownLabelMap((Map<?, ?>) unknownLabel, encode);
        } else if (unknownLabel != null) {
            unknownOne = Labels.normalizeInput(unknownLabel, "unknown_label");
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("the path list is empty: a collection needs at least one store");
        }
        OutputType type = dtype == null || dtype instanceof OutputType
                ? (OutputType) dtype : OutputType.parse((String) dtype);
        return new CollectionOptions(this, j, layers, filter, encode,
                unknownMap == null ? null : Collections.unmodifiableMap(unknownMap), unknownOne, type);
    }
}
