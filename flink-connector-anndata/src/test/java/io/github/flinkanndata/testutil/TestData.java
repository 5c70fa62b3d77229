package io.github.flinkanndata.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the test data: the real stores and the generated fixture matrix. */
public final class TestData {
    private TestData() {}

    /**
     * The real AnnData stores kept in the repository ({@code testdata/real-stores}, see its README),
     * passed by surefire as {@code anndata.real.stores}; falls back to walking up from the working
     * directory to the repository root so tests also run from an IDE.
     */
    public static Path realStores() {
        String prop = System.getProperty("anndata.real.stores");
        if (prop != null && Files.isDirectory(Paths.get(prop))) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("testdata").resolve("real-stores");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(
                "testdata/real-stores not found: run the tests inside the repository or set -Danndata.real.stores");
    }

    /** A real store by its path relative to {@link #realStores()}, e.g. {@code anndataR/example.h5ad}. */
    public static Path realStore(String relative) {
        return realStores().resolve(relative);
    }

    /**
     * The generated fixture matrix: {@code -Danndata.fixtures.dir} when set (CI regenerates the
     * fixtures there with the pinned Python toolchain), else the committed copy in {@code
     * src/test/resources/fixtures}.
     */
    public static Path fixtures() {
        return resource("anndata.fixtures.dir", "fixtures");
    }

    /** The reference expectations from lamindb, located like {@link #fixtures()}. */
    public static Path reference() {
        return resource("anndata.reference.dir", "reference");
    }

    private static Path resource(String property, String name) {
        String override = System.getProperty(property);
        if (override != null && !override.isBlank()) {
            return Paths.get(override).toAbsolutePath();
        }
        Path p = Paths.get("src", "test", "resources", name).toAbsolutePath();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("test resources missing: " + p);
        }
        return p;
    }
}
