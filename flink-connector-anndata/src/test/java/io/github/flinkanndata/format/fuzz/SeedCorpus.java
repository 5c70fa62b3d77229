package io.github.flinkanndata.format.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The fuzzer's seeds: the committed fixture stores ({@code src/test/resources/fixtures}: h5ad/,
 * zarr2/, zarr3/), copied once into a working directory where cases mutate them.
 *
 * <p>The committed copies are used even when CI regenerates the fixtures elsewhere, so that a seed
 * and a case number name the same input on every machine.
 */
final class SeedCorpus {
    /** How a seed is stored, which decides what a case mutates. */
    enum Shape {
        /** One HDF5 file. */
        H5AD,
        /** One zip file holding a zarr store. */
        ZIP,
        /** A zarr directory store: one metadata or chunk file is mutated per case. */
        DIRECTORY
    }

    /** One seed store and, for directory stores, its files by role. */
    static final class Seed {
        final String name;
        final Shape shape;
        final Path pristine;
        final long bytes;
        final List<String> metadataFiles;
        final List<String> chunkFiles;
        /** True for AnnData stores, false for the backend test files read as bare trees. */
        final boolean anndata;

        Seed(String name, Shape shape, Path pristine, long bytes, List<String> metadataFiles,
                List<String> chunkFiles) {
            this.name = name;
            this.anndata = !name.startsWith(TREE);
            this.shape = shape;
            this.pristine = pristine;
            this.bytes = bytes;
            this.metadataFiles = metadataFiles;
            this.chunkFiles = chunkFiles;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The committed fixtures, relative to the module directory Maven runs tests in. */
    static Path committedFixtures() {
        Path p = Paths.get("src", "test", "resources", "fixtures").toAbsolutePath();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("fixtures missing: " + p);
        }
        return p;
    }

    /** Name prefix of the seeds that are backend test files rather than AnnData stores. */
    static final String TREE = "tree/";

    /**
     * Every fixture store under {@code fixtures}, and the backend test files next to it ({@code
     * h5ad/*.h5}: every HDF5 type, chunk index and filter, blosc and zstd included; {@code zarr/}:
     * every v2 codec and v3 feature), copied under {@code workDir}, in name order.
     */
    static List<Seed> load(Path fixtures, Path workDir) throws IOException {
        List<Seed> seeds = new ArrayList<>();
        Path resources = fixtures.getParent();
        for (String family : List.of("h5ad", "zarr")) {
            List<Path> stores;
            try (Stream<Path> s = Files.list(resources.resolve(family))) {
                stores = s.filter(p -> !p.toString().endsWith(".py")).sorted().collect(Collectors.toList());
            }
            for (Path store : stores) {
                String name = TREE + family + "/" + store.getFileName();
                Path copy = workDir.resolve(name);
                copyTree(store, copy);
                seeds.add(describe(name, copy));
            }
        }
        for (String family : List.of("h5ad", "zarr2", "zarr3")) {
            List<Path> stores;
            try (Stream<Path> s = Files.list(fixtures.resolve(family))) {
                stores = s.sorted().collect(Collectors.toList());
            }
            for (Path store : stores) {
                String name = family + "/" + store.getFileName();
                Path copy = workDir.resolve(name);
                copyTree(store, copy);
                seeds.add(describe(name, copy));
            }
        }
        return seeds;
    }

    static Seed describe(String name, Path copy) throws IOException {
        if (!Files.isDirectory(copy)) {
            Shape shape = name.endsWith(".zip") ? Shape.ZIP : Shape.H5AD;
            return new Seed(name, shape, copy, Files.size(copy), List.of(), List.of());
        }
        List<String> meta = new ArrayList<>();
        List<String> chunks = new ArrayList<>();
        long bytes = 0;
        try (Stream<Path> s = Files.walk(copy)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                String rel = copy.relativize(f).toString().replace('\\', '/');
                bytes += Files.size(f);
                (isMetadata(rel) ? meta : chunks).add(rel);
            }
        }
        return new Seed(name, Shape.DIRECTORY, copy, bytes, meta, chunks);
    }

    static boolean isMetadata(String rel) {
        String file = rel.substring(rel.lastIndexOf('/') + 1);
        return file.equals(".zarray") || file.equals(".zattrs") || file.equals(".zgroup")
                || file.equals(".zmetadata") || file.equals("zarr.json");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
