package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the stores of a growing collection's watched directories that are ready to join: {@code
 * .h5ad} files, {@code .zarr} directories and {@code .zarr.zip} files directly inside a watched
 * directory (not hidden: a writer that writes {@code .name.tmp} and renames it is never seen half
 * way), unknown to the plan, and <b>stable</b> — two listings in a row found the same fingerprint
 * (size and modification time; for a directory, its file count, total size and newest
 * modification time). A store still being copied changes between listings and waits.
 *
 * <p>A store that could not join (unreadable, or refused by the collection) is {@link #reject
 * rejected} with its fingerprint and tried again only once it changes, so a bad file is reported
 * once, not at every listing. A watched directory that is missing or unreadable is reported and
 * listed again next time.
 *
 * <p>Used by the enumerator's discovery call only, which Flink runs on one worker thread, one
 * call at a time: not thread-safe.
 */
@Internal
final class StoreDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(StoreDiscovery.class);

    private final List<Path> directories;
    private Map<Path, Fingerprint> previous = new HashMap<>();
    private final Map<Path, Fingerprint> rejected = new HashMap<>();
    private final Map<Path, String> directoryProblems = new HashMap<>();

    StoreDiscovery(Collection<String> directories) {
        this.directories = new ArrayList<>();
        for (String d : directories) {
            this.directories.add(normalise(d));
        }
    }

    /** The absolute, normalised form stores are compared in (a file: URI as its path). */
    static Path normalise(String path) {
        // growing collections are local (checked by the builder), so local() is not null
        return StoreLocation.local(path).toAbsolutePath().normalize();
    }

    /**
     * Lists the watched directories: the stores that are stable, not {@code known} and not
     * rejected in their current form, sorted by path (so stores found together join in a
     * reproducible order).
     */
    List<Path> stableNewStores(Set<Path> known) {
        Map<Path, Fingerprint> now = new HashMap<>();
        List<Path> ready = new ArrayList<>();
        for (Path dir : directories) {
            for (Path candidate : list(dir)) {
                if (known.contains(candidate)) {
                    continue;
                }
                Fingerprint f = fingerprint(candidate);
                if (f == null) {
                    continue; // vanished while listing
                }
                now.put(candidate, f);
                if (f.equals(previous.get(candidate)) && !f.equals(rejected.get(candidate))) {
                    ready.add(candidate);
                }
            }
        }
        previous = now;
        rejected.keySet().retainAll(now.keySet());
        ready.sort(null);
        return ready;
    }

    /** The store could not join in its current form; it is tried again once it changes. */
    void reject(Path store) {
        Fingerprint f = previous.get(store);
        if (f != null) {
            rejected.put(store, f);
        }
    }

    private List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (isStoreName(p.getFileName().toString())) {
                    out.add(p.toAbsolutePath().normalize());
                }
            }
            if (directoryProblems.remove(dir) != null) {
                LOG.info("watched directory {} is readable again", dir);
            }
        } catch (IOException | UncheckedIOException e) {
            String problem = e.toString();
            if (!problem.equals(directoryProblems.put(dir, problem))) {
                LOG.warn("cannot list watched directory {} (listed again at the next interval): {}", dir, problem);
            }
        }
        return out;
    }

    static boolean isStoreName(String name) {
        return !name.startsWith(".") && (name.endsWith(".h5ad") || name.endsWith(".zarr") || name.endsWith(".zarr.zip"));
    }

    /** Null if the entry is gone. */
    @javax.annotation.Nullable
    static Fingerprint fingerprint(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (!a.isDirectory()) {
                return new Fingerprint(1, a.size(), a.lastModifiedTime().toMillis());
            }
            long[] acc = {0, 0, a.lastModifiedTime().toMillis()};
            try (Stream<Path> tree = Files.walk(p)) {
                tree.forEach(f -> {
                    try {
                        BasicFileAttributes fa = Files.readAttributes(f, BasicFileAttributes.class,
                                LinkOption.NOFOLLOW_LINKS);
                        acc[0]++;
                        acc[1] += fa.isDirectory() ? 0 : fa.size();
                        acc[2] = Math.max(acc[2], fa.lastModifiedTime().toMillis());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            return new Fingerprint(acc[0], acc[1], acc[2]);
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** What two listings compare to tell a finished store from one still being written. */
    record Fingerprint(long files, long bytes, long modified) {
        @Override
        public String toString() {
            return files + " files, " + bytes + " bytes, modified " + modified;
        }
    }
}
