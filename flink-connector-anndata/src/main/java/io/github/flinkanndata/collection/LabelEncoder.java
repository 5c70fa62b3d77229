package io.github.flinkanndata.collection;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The label → integer encoder of one obs key (docs/semantics.md §8.5): the unknown label (if it is a
 * category) maps to -1, the remaining merged categories to {@code 0..K-1} in sorted order.
 * MISSING is never a category, so it has no code.
 *
 * <p>Lookups use label equality (§1): an encoder built from int labels answers for {@code 3.0}
 * and {@code true} as it does for {@code 3} and {@code 1}. Immutable, serialisable (labels and
 * codes as arrays; the lookup map is rebuilt on first use), thread-safe.
 */
public final class LabelEncoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final Object[] labels; // in Python dict order: the unknown label first, if any
    private final int[] codes;
    private transient volatile Map<Object, Integer> index;

    private LabelEncoder(String key, Object[] labels, int[] codes) {
        this.key = key;
        this.labels = labels;
        this.codes = codes;
    }

    /**
     * Builds the encoder of {@code key} from its merged categories (sorted, MISSING-free).
     *
     * @param unknown the unknown label for this key, or null; ignored unless it is a category
     */
    static LabelEncoder build(String key, List<Object> categories, @Nullable Object unknown) {
        int unknownAt = -1;
        for (int i = 0; unknown != null && i < categories.size(); i++) {
            if (Labels.equal(categories.get(i), unknown)) {
                unknownAt = i;
                break;
            }
        }
        Object[] labels = new Object[categories.size()];
        int[] codes = new int[categories.size()];
        int n = 0;
        if (unknownAt >= 0) {
            // Python stores the user's value as the key (dict[unknown_label] = -1)
            labels[n] = unknown;
            codes[n++] = -1;
        }
        int code = 0;
        for (int i = 0; i < categories.size(); i++) {
            if (i != unknownAt) {
                labels[n] = categories.get(i);
                codes[n++] = code++;
            }
        }
        return new LabelEncoder(key, labels, codes);
    }

    /**
     * An encoder from its entries as {@link #build} made them, in dict order: for {@link
     * CollectionPlanCodec}, which validates them first. The arrays are taken, not copied.
     */
    static LabelEncoder of(String key, Object[] labels, int[] codes) {
        if (labels.length != codes.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + codes.length + " codes");
        }
        return new LabelEncoder(key, labels, codes);
    }

    /**
     * This encoder grown append-only by {@code categories} (sorted, MISSING-free: the merged
     * categories of the stores that join a growing collection). Every existing entry keeps its
     * code; each new label gets the next code, in the order given — except the unknown label,
     * which takes -1 (first in dict order, as {@link #build} places it) wherever it first
     * appears. Returns this encoder when nothing is new.
     *
     * <p>Unlike {@link #build}, codes no longer follow the sorted order of the labels once the
     * encoder has grown: a code once handed out never changes its meaning.
     *
     * @throws CollectionException if the new labels are strings and the old ones numbers, or the
     *     other way round (the same check {@link MergedCategories} makes within one plan)
     */
    LabelEncoder extend(List<Object> categories, @Nullable Object unknown, List<String> paths)
            throws CollectionException {
        List<Object> added = new java.util.ArrayList<>();
        boolean unknownAdded = false;
        for (Object label : categories) {
            if (code(label) != null || containsEqual(added, label)) {
                continue;
            }
            if (unknown != null && Labels.equal(label, unknown) && unknownLabel() == null) {
                unknownAdded = true;
            } else {
                added.add(label);
            }
        }
        if (added.isEmpty() && !unknownAdded) {
            return this;
        }
        checkSameKind(added, paths);
        int n = labels.length + added.size() + (unknownAdded ? 1 : 0);
        Object[] newLabels = new Object[n];
        int[] newCodes = new int[n];
        int i = 0;
        if (unknownAdded) {
            newLabels[i] = unknown;
            newCodes[i++] = -1;
        }
        int next = 0;
        for (int k = 0; k < labels.length; k++, i++) {
            newLabels[i] = labels[k];
            newCodes[i] = codes[k];
            next = Math.max(next, codes[k] + 1);
        }
        for (Object label : added) {
            newLabels[i] = label;
            newCodes[i++] = next++;
        }
        return new LabelEncoder(key, newLabels, newCodes);
    }

    private static boolean containsEqual(List<Object> labels, Object label) {
        for (Object l : labels) {
            if (Labels.equal(l, label)) {
                return true;
            }
        }
        return false;
    }

    private void checkSameKind(List<Object> added, List<String> paths) throws CollectionException {
        boolean oldStrings = false;
        boolean oldNumbers = false;
        for (Object l : labels) {
            oldStrings |= l instanceof String;
            oldNumbers |= Labels.isNumeric(l);
        }
        for (Object l : added) {
            if ((l instanceof String && oldNumbers) || (Labels.isNumeric(l) && oldStrings)) {
                throw CollectionException.inCollection(paths, "obs key '" + key + "': the new label " + l
                        + " is a " + (l instanceof String ? "string" : "number") + " but the vocabulary so far holds "
                        + (oldNumbers ? "numbers" : "strings") + "; a growing vocabulary cannot mix them");
            }
        }
    }

    /** The label of entry {@code i}, in dict order. */
    Object labelAt(int i) {
        return labels[i];
    }

    /** The code of entry {@code i}, in dict order. */
    int codeAt(int i) {
        return codes[i];
    }

    public String key() {
        return key;
    }

    /** Number of entries, the unknown label included. */
    public int size() {
        return labels.length;
    }

    /** The code of a label, or null if it has none (MISSING, or not a category). */
    @Nullable
    public Integer code(Object label) {
        if (label == Missing.MISSING) {
            return null;
        }
        return index().get(Labels.canonical(label));
    }

    /** The label encoded as -1, or null if there is none. */
    @Nullable
    public Object unknownLabel() {
        return codes.length > 0 && codes[0] == -1 ? labels[0] : null;
    }

    /** The entries, label → code, in Python's dict order (the unknown label first). */
    public Map<Object, Integer> asMap() {
        Map<Object, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            m.put(labels[i], codes[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The labels in dict order (parallel to {@link #asMap()}'s values). */
    public List<Object> labels() {
        return Collections.unmodifiableList(Arrays.asList(labels.clone()));
    }

    private Map<Object, Integer> index() {
        Map<Object, Integer> m = index;
        if (m == null) {
            m = new HashMap<>(labels.length * 2);
            for (int i = 0; i < labels.length; i++) {
                m.put(Labels.canonical(labels[i]), codes[i]);
            }
            index = m; // racing builders produce equal maps; either may win
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelEncoder && ((LabelEncoder) o).key.equals(key)
                && Arrays.equals(((LabelEncoder) o).labels, labels) && Arrays.equals(((LabelEncoder) o).codes, codes);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Arrays.hashCode(codes);
    }

    @Override
    public String toString() {
        return "LabelEncoder{" + key + "=" + asMap() + "}";
    }
}
