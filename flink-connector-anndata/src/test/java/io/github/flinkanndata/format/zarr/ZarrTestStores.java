package io.github.flinkanndata.format.zarr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.Node;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/** Locates the generated test stores (see make_test_stores.py) and offers small helpers. */
final class ZarrTestStores {

    private ZarrTestStores() {}

    /** A store under src/test/resources/zarr, as copied to the test class path. */
    static Path resource(String name) {
        URL url = ZarrTestStores.class.getResource("/zarr/" + name);
        if (url == null) {
            throw new IllegalStateException("test store missing: " + name);
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ZarrContainer open(Path path) throws AnnDataFormatException {
        return ZarrContainer.open(path, ContainerOptions.defaults());
    }

    static ArrayNode array(ZarrContainer c, String path) throws AnnDataFormatException {
        Node node = c.node(path);
        assertThat(node).as(path).isInstanceOf(ArrayNode.class);
        return (ArrayNode) node;
    }

    /**
     * Copies a directory store so that a test can damage it: the root's own files and the given
     * top-level children (all of them if none are given).
     */
    static Path copy(Path store, Path target, String... children) throws IOException {
        java.util.Set<String> keep = java.util.Set.of(children);
        try (Stream<Path> files = Files.walk(store)) {
            files.forEach(
                    p -> {
                        Path relative = store.relativize(p);
                        boolean rootFile = relative.getNameCount() == 1 && Files.isRegularFile(p);
                        if (!keep.isEmpty()
                                && !relative.toString().isEmpty()
                                && !rootFile
                                && !keep.contains(relative.getName(0).toString())) {
                            return;
                        }
                        try {
                            Path dest = target.resolve(relative.toString());
                            if (Files.isDirectory(p)) {
                                Files.createDirectories(dest);
                            } else {
                                Files.copy(p, dest);
                                dest.toFile().setWritable(true);
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        return target;
    }

    /** Runs {@code call}, expecting an AnnDataFormatException naming the store and the element. */
    static AnnDataFormatException expectFailure(
            ThrowingCallable call, Path store, String element, String... fragments) {
        AnnDataFormatException e = catchThrowableOfType(AnnDataFormatException.class, call);
        assertThat(e).as("expected an AnnDataFormatException").isNotNull();
        assertThat(e.store()).isEqualTo(store.toString());
        assertThat(e.element()).isEqualTo(element);
        assertThat(e.getMessage()).contains(store.toString());
        if (element != null && !element.isEmpty()) {
            assertThat(e.getMessage()).contains("'" + element + "'");
        }
        for (String fragment : fragments) {
            assertThat(e.getMessage()).contains(fragment);
        }
        return e;
    }
}
