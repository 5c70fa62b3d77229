package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.Node;
import io.github.flinkanndata.testutil.TestData;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: the committed fixtures of this package and tree walking. */
final class H5Fixtures {
    private H5Fixtures() {}

    /** Every h5ad of the real stores. */
    static final List<String> REAL_STORES =
            List.of(
                    "anndata-archives/v0.5.0/adata.h5ad",
                    "anndata-archives/v0.7.0/adata.h5ad",
                    "anndata-archives/v0.7.8/adata.h5ad",
                    "anndata-archives/v0.11.4/adata.h5ad",
                    "anndataR/example.h5ad");

    /** A file of {@code src/test/resources/h5ad} (made by make_test_files.py). */
    static Path resource(String name) {
        URL url = H5Fixtures.class.getResource("/h5ad/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource h5ad/" + name);
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static H5adContainer openReal(String relative) throws AnnDataFormatException {
        return H5adContainer.open(TestData.realStore(relative), ContainerOptions.defaults());
    }

    static H5adContainer openResource(String name) throws AnnDataFormatException {
        return H5adContainer.open(resource(name), ContainerOptions.defaults());
    }

    static ArrayNode array(Container c, String path) throws AnnDataFormatException {
        Node n = c.node(path);
        if (!(n instanceof ArrayNode)) {
            throw new AssertionError("not an array: " + path + " -> " + n);
        }
        return (ArrayNode) n;
    }

    /** Paths of all arrays below the root, depth first in listing order. */
    static List<String> arrayPaths(Container c) throws AnnDataFormatException {
        List<String> out = new ArrayList<>();
        collect(c, c.root(), out);
        return out;
    }

    private static void collect(Container c, GroupNode g, List<String> out)
            throws AnnDataFormatException {
        for (String name : g.children()) {
            String path = g.path().isEmpty() ? name : g.path() + "/" + name;
            Node n = c.node(path);
            if (n instanceof GroupNode) {
                collect(c, (GroupNode) n, out);
            } else {
                out.add(path);
            }
        }
    }
}
