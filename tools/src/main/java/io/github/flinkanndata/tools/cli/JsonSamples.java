package io.github.flinkanndata.tools.cli;

import io.github.flinkanndata.collection.LabelEncoder;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.collection.Shape;
import io.github.flinkanndata.format.PyFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes the collection commands print, in lamindb's vocabulary: samples keyed like a
 * {@code MappedCollection} record, MISSING as {@code null}, encoders as label → code objects
 * whose keys are the labels rendered as Python's {@code str()} would.
 */
public final class JsonSamples {
    private JsonSamples() {}

    /** {@code _store_idx}, matrices as dense arrays, {@code obsm_<k>}, obs values; record order. */
    public static Map<String, Object> sample(Sample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_store_idx", s.storeIndex());
        for (String k : s.layerKeys()) {
            m.put(k, dense(s.layer(k)));
        }
        for (String k : s.obsmKeys()) {
            // a row of an N-D entry prints as nested lists, like json of ndarray.tolist()
            m.put("obsm_" + k, s.obsm(k).nestedDense());
        }
        for (String k : s.obsKeys()) {
            m.put(k, label(s.obs(k)));
        }
        return m;
    }

    /** A primitive array, which Jackson writes as a JSON array of numbers (or booleans). */
    private static Object dense(MatrixRow row) {
        Object values = row.dense();
        if (values instanceof byte[]) {
            // Jackson writes byte[] as base64 text; int8 values are numbers like every other dtype
            byte[] b = (byte[]) values;
            short[] widened = new short[b.length];
            for (int i = 0; i < b.length; i++) {
                widened[i] = b[i];
            }
            return widened;
        }
        return values;
    }

    /** A label or code; MISSING as null. */
    static Object label(Object v) {
        return v == Missing.MISSING ? null : v;
    }

    static List<Object> labels(List<Object> values) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(label(v));
        }
        return out;
    }

    static Object shape(Shape s) {
        return new Object[] {s.rows(), s.cols()};
    }

    static List<Object> shapes(List<Shape> shapes) {
        List<Object> out = new ArrayList<>();
        for (Shape s : shapes) {
            out.add(shape(s));
        }
        return out;
    }

    static Map<String, Object> encoders(Map<String, LabelEncoder> encoders) {
        Map<String, Object> out = new LinkedHashMap<>();
        encoders.forEach((key, enc) -> {
            Map<String, Integer> m = new LinkedHashMap<>();
            enc.asMap().forEach((label, code) -> m.put(PyFormat.str(label), code));
            out.put(key, m);
        });
        return out;
    }
}
