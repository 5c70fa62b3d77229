package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.Column;
import io.github.flinkanndata.format.ColumnKind;
import io.github.flinkanndata.format.PyFormat;
import io.github.flinkanndata.format.tree.DataType;
import java.util.List;
import java.util.Locale;

/**
 * Renders labels the way lamindb's weights see them: {@code get_merged_labels(key).astype(str)}
 * (docs/semantics.md §9). The merged labels are a numpy concatenation of per-store arrays, so the type
 * an array would have decides the rendering:
 *
 * <ul>
 *   <li>if every store's array is numeric (plain numeric or bool columns, categoricals with
 *       numeric categories and no missing code, nullable columns without a masked entry), numpy
 *       promotes them to one type (bool < int < float), and ints render as {@code 3.0} next to
 *       floats;
 *   <li>otherwise the result holds objects, and each label renders by its own type.
 * </ul>
 *
 * MISSING renders as {@code nan}. float32 values render with float32's shortest digits, as numpy
 * does. One approximation: numpy promotes float32 with int8/int16 to float32, we to float64.
 * Stateless.
 */
final class LabelStrings {
    /** What the numpy array of one store's labels would be. */
    enum ArrayKind { BOOL, INT, FLOAT32, FLOAT64, OBJECT }

    private LabelStrings() {}

    static ArrayKind kindOf(Column c) {
        DataType t = c.valueType();
        switch (c.kind()) {
            case CATEGORICAL:
                if (t == DataType.STRING || c.categories().isEmpty()) {
                    return ArrayKind.OBJECT;
                }
                if (t.isFloat()) {
                    return t == DataType.FLOAT32 ? ArrayKind.FLOAT32 : ArrayKind.FLOAT64;
                }
                for (int code : c.codes()) {
                    if (code < 0) {
                        return ArrayKind.OBJECT; // an int array cannot hold NaN (lamindb fails: D9)
                    }
                }
                return t == DataType.BOOL ? ArrayKind.BOOL : ArrayKind.INT;
            case NUMERIC:
                return t == DataType.FLOAT32 ? ArrayKind.FLOAT32 : t.isFloat() ? ArrayKind.FLOAT64 : ArrayKind.INT;
            case BOOLEAN:
                return ArrayKind.BOOL;
            case NULLABLE_INTEGER:
            case NULLABLE_BOOLEAN:
                for (int r = 0; r < c.length(); r++) {
                    if (c.label(r) == null) {
                        return ArrayKind.OBJECT; // masked entries turn the values into objects
                    }
                }
                return c.kind() == ColumnKind.NULLABLE_BOOLEAN ? ArrayKind.BOOL : ArrayKind.INT;
            default:
                return ArrayKind.OBJECT;
        }
    }

    /** numpy's result type of concatenating arrays of these kinds (nulls: stores without the key). */
    static ArrayKind promote(List<ArrayKind> kinds) {
        boolean bool = false;
        boolean integer = false;
        boolean f32 = false;
        boolean f64 = false;
        for (ArrayKind k : kinds) {
            if (k == ArrayKind.OBJECT) {
                return ArrayKind.OBJECT;
            }
            bool |= k == ArrayKind.BOOL;
            integer |= k == ArrayKind.INT;
            f32 |= k == ArrayKind.FLOAT32;
            f64 |= k == ArrayKind.FLOAT64;
        }
        if (f64 || (f32 && integer)) {
            return ArrayKind.FLOAT64;
        }
        return f32 ? ArrayKind.FLOAT32 : integer ? ArrayKind.INT : bool ? ArrayKind.BOOL : ArrayKind.OBJECT;
    }

    /**
     * The string of one label.
     *
     * @param promoted the kind of the merged array
     * @param own the value type of the label's own column
     */
    static String render(Object label, ArrayKind promoted, DataType own) {
        if (label == Missing.MISSING || label == null) {
            return "nan";
        }
        switch (promoted) {
            case BOOL:
            case INT:
                if (label instanceof Boolean && promoted == ArrayKind.INT) {
                    return ((Boolean) label) ? "1" : "0";
                }
                return PyFormat.str(label);
            case FLOAT64:
                return PyFormat.floatRepr(asDouble(label));
            case FLOAT32:
                return float32Repr((float) asDouble(label));
            default:
                if (label instanceof Double && own == DataType.FLOAT32) {
                    return float32Repr((float) (double) (Double) label);
                }
                return PyFormat.str(label);
        }
    }

    private static double asDouble(Object label) {
        return label instanceof Boolean ? (((Boolean) label) ? 1 : 0) : ((Number) label).doubleValue();
    }

    /** numpy's str of a float32: its shortest round-trip digits, in Python's float layout. */
    static String float32Repr(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f) || f == 0) {
            return PyFormat.floatRepr(f);
        }
        for (int digits = 1; digits <= 9; digits++) {
            String s = String.format(Locale.ROOT, "%." + (digits - 1) + "e", (double) f);
            if (Float.parseFloat(s) == f) {
                // the double nearest these few digits has them as its own shortest form
                return PyFormat.floatRepr(Double.parseDouble(s));
            }
        }
        return PyFormat.floatRepr(f);
    }
}
