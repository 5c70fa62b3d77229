package io.github.flinkanndata.source.python;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.output.CellFieldMapper.Field;
import io.github.flinkanndata.source.output.CellFieldMapper.Kind;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.RowTypeInfo;

/**
 * The fields of the rows a {@link CellRowFormat} emits, derived from the source's options: the
 * metadata {@code store_idx} (INT), {@code global_idx} (LONG) and {@code epoch} (INT); one field
 * per layers key (named like the key, {@code raw.X} as {@code raw_X}): {@code float[]} when the
 * output is dense, {@code Row(indices int[], values float[], size int)} when sparse; {@code
 * obsm_<key>} per obsm key: {@code float[]}, or for an entry declared with more than two
 * dimensions {@code (n_obs, d1, ..., dk)} nested arrays of depth {@code k} ({@code float[][]} for
 * three dimensions), which Python receives as nested lists; one field per obs key, INT when
 * encoded, otherwise the declared {@link ObsFieldType}.
 *
 * <p>Only types PyFlink converts to Python objects are used (basic types, primitive arrays, object
 * arrays of them, nested {@link RowTypeInfo}), which is the point: the {@code CellRecord} type has its own
 * serializer that PyFlink cannot read.
 */
@Internal
public final class CellRowSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    static final String STORE_IDX = "store_idx";
    static final String GLOBAL_IDX = "global_idx";
    static final String EPOCH = "epoch";
    static final String OBSM_PREFIX = "obsm_";
    static final String[] SPARSE_FIELDS = {"indices", "values", "size"};

    private final List<Field> fields;
    private final boolean sparse;
    private final List<String> paths;

    private CellRowSchema(List<Field> fields, boolean sparse, List<String> paths) {
        this.fields = List.copyOf(fields);
        this.sparse = sparse;
        this.paths = List.copyOf(paths);
    }

    /**
     * The schema of a source's rows.
     *
     * @param obsTypes the type of each raw (not encoded) obs key that is not a STRING; an encoded
     *     key may be given only as INT
     * @throws IllegalArgumentException for an obs type of a key that is no obs key, a raw key
     *     declared INT, an encoded key declared otherwise, or two fields of the same name
     */
    public static CellRowSchema of(SourceSettings settings, Map<String, ObsFieldType> obsTypes) {
        return of(settings, obsTypes, Map.of());
    }

    /**
     * The schema of a source's rows, with the number of dimensions of obsm entries that have
     * more than two, as anndata counts them ({@code adata.obsm[key].ndim}: 3 for image patches of
     * shape {@code (n_obs, h, w)}). An undeclared entry has 1 or 2 ({@code float[]} rows); the
     * builder opens no store, so it cannot find out. A store whose entry has another number of
     * dimensions fails when its first row is read, naming the number to declare.
     *
     * @throws IllegalArgumentException as {@link #of(SourceSettings, Map)}, and for a number of
     *     dimensions of a key that is no obsm key, or below 1
     */
    public static CellRowSchema of(SourceSettings settings, Map<String, ObsFieldType> obsTypes,
            Map<String, Integer> obsmNdims) {
        CollectionOptions c = settings.collection();
        List<String> obsKeys = c.obsKeys() == null ? List.of() : c.obsKeys();
        for (String k : obsTypes.keySet()) {
            if (!obsKeys.contains(k)) {
                throw new IllegalArgumentException("obs type given for '" + k + "', which is not one of the obs keys "
                        + obsKeys);
            }
        }
        List<String> obsmKeys = c.obsmKeys() == null ? List.of() : c.obsmKeys();
        for (Map.Entry<String, Integer> e : obsmNdims.entrySet()) {
            if (!obsmKeys.contains(e.getKey())) {
                throw new IllegalArgumentException("obsm ndim given for '" + e.getKey()
                        + "', which is not one of the obsm keys " + obsmKeys);
            }
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalArgumentException("obsm ndim of '" + e.getKey() + "' must be 1 or more (the entry's "
                        + "number of dimensions, n_obs included), was " + e.getValue());
            }
        }
        boolean sparse = settings.output() == OutputForm.SPARSE;
        List<Field> fields = new ArrayList<>();
        fields.add(new Field(STORE_IDX, Kind.STORE_INDEX, null, null, false, 0));
        fields.add(new Field(GLOBAL_IDX, Kind.GLOBAL_INDEX, null, null, false, 0));
        fields.add(new Field(EPOCH, Kind.EPOCH, null, null, false, 0));
        for (String k : c.layersKeys()) {
            fields.add(new Field(k.replace('.', '_'), Kind.MATRIX, k, null, sparse, 0));
        }
        for (String k : obsmKeys) {
            Integer ndim = obsmNdims.get(k);
            fields.add(new Field(OBSM_PREFIX + k, Kind.OBSM, k, null, false, ndim == null ? 1 : Math.max(1, ndim - 1)));
        }
        for (String k : obsKeys) {
            ObsFieldType type = obsType(k, c.encodeKeys().contains(k), obsTypes.get(k));
            fields.add(new Field(k, Kind.OBS, k, type.javaType(), false, 0));
        }
        Map<String, Field> byName = new LinkedHashMap<>();
        for (Field f : fields) {
            Field previous = byName.put(f.name(), f);
            if (previous != null) {
                throw new IllegalArgumentException("two row fields would be named '" + f.name() + "': "
                        + describe(previous) + " and " + describe(f));
            }
        }
        return new CellRowSchema(fields, sparse, settings.collection().paths());
    }

    private static ObsFieldType obsType(String key, boolean encoded, @Nullable ObsFieldType declared) {
        if (encoded) {
            if (declared != null && declared != ObsFieldType.INT) {
                throw new IllegalArgumentException("obs key '" + key + "' is encoded, so its field is INT (the code),"
                        + " not " + declared + "; leave it out of the obs types or stop encoding it");
            }
            return ObsFieldType.INT;
        }
        if (declared == ObsFieldType.INT) {
            throw new IllegalArgumentException("obs key '" + key + "' is not encoded, so it has no INT code; declare"
                    + " the type of its labels (string, long, double or boolean) or encode it");
        }
        return declared == null ? ObsFieldType.STRING : declared;
    }

    private static String describe(Field f) {
        return f.kind() == Kind.STORE_INDEX || f.kind() == Kind.GLOBAL_INDEX || f.kind() == Kind.EPOCH
                ? "the metadata field"
                : "the " + f.kind().name().toLowerCase(java.util.Locale.ROOT) + " key '" + f.key() + "'";
    }

    List<Field> fields() {
        return fields;
    }

    /** The paths of the stores, in order, to name a store in errors. */
    List<String> paths() {
        return paths;
    }

    /** The field names, in row order. */
    public List<String> fieldNames() {
        List<String> out = new ArrayList<>();
        for (Field f : fields) {
            out.add(f.name());
        }
        return out;
    }

    /** The row type: named fields with the types of the class comment. */
    public RowTypeInfo typeInfo() {
        TypeInformation<?>[] types = new TypeInformation<?>[fields.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = type(fields.get(i));
        }
        return new RowTypeInfo(types, fieldNames().toArray(new String[0]));
    }

    private TypeInformation<?> type(Field f) {
        switch (f.kind()) {
            case STORE_INDEX:
            case EPOCH:
                return BasicTypeInfo.INT_TYPE_INFO;
            case GLOBAL_INDEX:
                return BasicTypeInfo.LONG_TYPE_INFO;
            case MATRIX:
                return sparse ? sparseType() : PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO;
            case OBSM:
                return obsmType(f.depth());
            default:
                return BasicTypeInfo.getInfoFor(f.labelType());
        }
    }

    /** {@code float[]} nested {@code depth - 1} times in object arrays ({@code float[][]} for 2). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static TypeInformation<?> obsmType(int depth) {
        TypeInformation<?> t = PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO;
        Class<?> c = float[].class;
        for (int i = 1; i < depth; i++) {
            c = java.lang.reflect.Array.newInstance(c, 0).getClass();
            t = ObjectArrayTypeInfo.getInfoFor((Class) c, (TypeInformation) t);
        }
        return t;
    }

    static RowTypeInfo sparseType() {
        return new RowTypeInfo(new TypeInformation<?>[] {PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO,
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO, BasicTypeInfo.INT_TYPE_INFO}, SPARSE_FIELDS);
    }

    @Override
    public String toString() {
        return "CellRowSchema" + fields + (sparse ? ", sparse" : ", dense");
    }
}
