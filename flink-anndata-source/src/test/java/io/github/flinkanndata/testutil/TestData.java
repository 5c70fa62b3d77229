package io.github.flinkanndata.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the test data: the shared real-world stores and the generated fixture matrix. */
public final class TestData {
    private TestData() {}

    /**
     * The folder of real AnnData stores that sits beside the project ({@code ../shared/data}),
     * passed by surefire as {@code anndata.shared.data}; falls back to walking up from the working
     * directory so tests also run from an IDE.
     */
    public static Path sharedData() {
        String prop = System.getProperty("anndata.shared.data");
        if (prop != null && Files.isDirectory(Paths.get(prop))) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(
                "shared test data not found: set -Danndata.shared.data or keep ../shared/data beside the project");
    }

    /** A store of the shared data by its relative path, e.g. {@code anndataR/example.h5ad}. */
    public static Path shared(String relative) {
        return sharedData().resolve(relative);
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
