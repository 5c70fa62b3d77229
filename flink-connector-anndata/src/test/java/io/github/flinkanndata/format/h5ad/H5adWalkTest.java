package io.github.flinkanndata.format.h5ad;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.Node;
import java.lang.reflect.Array;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every attribute and every dataset of every shared h5ad reads fully without an exception. */
class H5adWalkTest {

    static List<String> stores() {
        return H5Fixtures.REAL_STORES;
    }

    @ParameterizedTest
    @MethodSource("stores")
    void readsEveryDatasetFully(String store) throws Exception {
        try (H5adContainer c = H5Fixtures.openReal(store)) {
            c.root().attributes();
            List<String> arrays = H5Fixtures.arrayPaths(c);
            assertThat(arrays).isNotEmpty();
            for (String path : arrays) {
                Node node = c.node(path);
                node.attributes();
                ArrayNode a = (ArrayNode) node;
                long elements = 1;
                for (long d : a.shape()) {
                    elements *= d;
                }
                if (a.dataType() == DataType.COMPOUND) {
                    for (String f : a.fieldNames()) {
                        Object v = a.readField(f, 0, (int) a.shape()[0]);
                        int perRow = 1;
                        for (int s : a.fieldShape(f)) {
                            perRow *= s;
                        }
                        assertThat(Array.getLength(v))
                                .as(path + "." + f)
                                .isEqualTo(elements * perRow);
                    }
                } else {
                    Object v = a.readAll();
                    assertThat(v).as(path).isInstanceOf(a.dataType().javaArrayType());
                    assertThat((long) Array.getLength(v)).as(path).isEqualTo(elements);
                }
            }
        }
    }
}
