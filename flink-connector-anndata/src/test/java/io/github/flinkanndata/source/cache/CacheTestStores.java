package io.github.flinkanndata.source.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.testutil.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Copies of real reference stores to play the remote side, and a byte-for-byte tree comparison. */
final class CacheTestStores {
    private CacheTestStores() {}

    static Path reference(String name) {
        return TestData.reference().resolve("stores").resolve(name);
    }

    /** Copies a file or a directory tree to {@code target}. */
    static Path copy(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source)) {
            Files.createDirectories(target.getParent());
            return Files.copy(source, target);
        }
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return target;
    }

    /** Zips a directory store (deflated entries) into {@code zip}, as a {@code .zarr.zip} store. */
    static Path zip(Path dir, Path zip) throws IOException {
        Files.createDirectories(zip.getParent());
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
                Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (Files.isRegularFile(p)) {
                    out.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
        }
        return zip;
    }

    /** Asserts that {@code copy} holds exactly the files of {@code original}, byte for byte. */
    static void assertSameTree(Path original, Path copy) throws IOException {
        assertThat(Files.isDirectory(copy)).as("kind of %s", copy).isEqualTo(Files.isDirectory(original));
        if (!Files.isDirectory(original)) {
            assertThat(Files.readAllBytes(copy)).as("bytes of %s", copy).isEqualTo(Files.readAllBytes(original));
            return;
        }
        List<String> want = files(original);
        assertThat(files(copy)).as("files of %s", copy).isEqualTo(want);
        for (String rel : want) {
            assertThat(Files.readAllBytes(copy.resolve(rel))).as("bytes of %s", rel)
                    .isEqualTo(Files.readAllBytes(original.resolve(rel)));
        }
    }

    private static List<String> files(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).sorted().forEach(p -> out.add(dir.relativize(p).toString()));
        }
        return out;
    }
}
