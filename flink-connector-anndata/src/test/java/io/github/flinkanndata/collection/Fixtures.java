package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.testutil.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixture stores of docs/semantics.md §15.1/§15.3, written by the real anndata (the reference
 * generator puts them in {@code reference/stores}), and small assertion helpers shared by the
 * collection tests.
 */
final class Fixtures {
    static final String A1 = "part_one.h5ad";
    static final String A2 = "part_two.zarr";
    static final String A3 = "other_vars.h5ad";
    static final String A4 = "csc.h5ad";
    static final String N = "num.h5ad";
    static final String NZ = "num.zarr";
    static final String B = "b.h5ad";
    static final String E = "empty.h5ad";
    static final String L = "legacy07.h5ad";
    static final String IC = "intcat.h5ad";
    static final String ICN = "intcatnan.h5ad";
    static final String ICNZ = "intcatnan.zarr";
    static final String IA = "ia.h5ad";
    static final String IB = "ib.h5ad";
    static final String IV = "intvar.h5ad";
    static final String BC = "bc.h5ad";
    static final String DUP = "dup.h5ad";

    static final Object M = Missing.MISSING;

    private Fixtures() {}

    static Path store(String name) {
        return TestData.reference().resolve("stores").resolve(name);
    }

    /** A builder over the named fixture stores. */
    static CollectionOptionsBuilder on(String... names) {
        List<String> paths = new ArrayList<>();
        for (String n : names) {
            paths.add(store(n).toString());
        }
        return CollectionOptions.builder(paths);
    }

    static AnnDataCollection open(CollectionOptionsBuilder b) throws Exception {
        return AnnDataCollection.open(b.build());
    }

    /** Asserts the dense values of a matrix row, exactly. */
    static void assertRow(MatrixRow row, double... expected) {
        assertThat(row).as("matrix row").isNotNull();
        assertThat(row.toDoubles()).containsExactly(expected);
    }

    static void assertRow(MatrixRow row, DataType type, double... expected) {
        assertRow(row, expected);
        assertThat(row.type()).isEqualTo(type);
    }

    static MatrixRow x(AnnDataCollection c, long i) throws Exception {
        return c.get(i).layer("X");
    }

    static List<Long> longs(long[] a) {
        List<Long> out = new ArrayList<>();
        for (long v : a) {
            out.add(v);
        }
        return out;
    }

    /** indices_list flattened in global order (the "indices" the semantics cases list). */
    static List<Long> indices(AnnDataCollection c) {
        List<Long> out = new ArrayList<>();
        for (long[] a : c.indicesList()) {
            out.addAll(longs(a));
        }
        return out;
    }

    /** The store of every sample. */
    static List<Integer> stores(AnnDataCollection c) {
        List<Integer> out = new ArrayList<>();
        for (long g = 0; g < c.size(); g++) {
            out.add(c.storageIndex(g));
        }
        return out;
    }

    /** The encoder of a key as label → code pairs, comparing labels by label equality. */
    static void assertEncoder(AnnDataCollection c, String key, Object... labelCodePairs) {
        LabelEncoder e = c.encoders().get(key);
        assertThat(e).as("encoder of %s", key).isNotNull();
        assertThat(e.size()).as("encoder size of %s: %s", key, e).isEqualTo(labelCodePairs.length / 2);
        List<Object> labels = e.labels();
        for (int i = 0; i < labelCodePairs.length; i += 2) {
            Object label = labelCodePairs[i];
            assertThat(e.code(label)).as("code of %s in %s", label, e).isEqualTo(labelCodePairs[i + 1]);
            assertThat(Labels.equal(labels.get(i / 2), label)).as("order of %s in %s", label, e).isTrue();
        }
    }

    /** Asserts a label list by label equality (MISSING only matches MISSING). */
    static void assertLabels(List<Object> actual, Object... expected) {
        assertThat(actual).as("labels %s", actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            Object a = actual.get(i);
            Object e = expected[i];
            // booleans stay booleans (Python returns bool labels), other numbers compare by value
            boolean same = e == M ? a == M
                    : e instanceof Boolean ? e.equals(a) : Labels.equal(a, e) && !(a instanceof Boolean);
            assertThat(same).as("label %d: %s vs expected %s (all: %s)", i, a, e, actual).isTrue();
        }
    }

    static Shape shape(long rows, Long cols) {
        return new Shape(rows, cols);
    }
}
