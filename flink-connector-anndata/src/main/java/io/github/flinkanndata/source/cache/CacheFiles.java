package io.github.flinkanndata.source.cache;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk layout of a cache directory and the file operations on it. A complete entry is a
 * folder named by the store's key holding the store under its own name ({@code
 * 3fa2…/pbmc.h5ad}); it only ever appears by an atomic rename of a finished temporary folder
 * {@code .tmp-<pid>-<uuid>}, so any folder named by a key is complete. Evicted entries are first
 * renamed to {@code .trash-<pid>-<uuid>} and then deleted, so a half-deleted entry is never seen
 * either. Temporary and trash folders of processes that no longer run are leftovers.
 */
@Internal
final class CacheFiles {
    static final Pattern KEY = Pattern.compile("[0-9a-f]{24}");
    private static final Pattern SCRATCH = Pattern.compile("\\.(tmp|trash)-(\\d+)-.*");

    private static final Logger LOG = LoggerFactory.getLogger(CacheFiles.class);

    private CacheFiles() {}

    /**
     * Deletes the temporary and trash folders of processes that no longer run and returns the
     * complete entries, least recently used first (by folder modification time, see {@link #touch}).
     *
     * @param self this process's pid: one cache per directory and JVM means a scratch folder with
     *     our own pid is from an earlier process that had the same pid (pid 1 in a container)
     */
    static List<Path> recover(Path directory, long self) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> children = Files.list(directory)) {
            children.forEach(found::add);
        }
        List<Path> complete = new ArrayList<>();
        for (Path p : found) {
            OptionalLong owner = scratchOwner(p);
            if (owner.isPresent()) {
                long pid = owner.getAsLong();
                boolean alive = pid != self && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                    LOG.info("deleting leftover {} in the store cache", p.getFileName());
                    deleteQuietly(p);
                }
            } else if (isEntry(p)) {
                complete.add(p);
            }
        }
        complete.sort(Comparator.comparing(CacheFiles::modified));
        return complete;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Records a use on disk, so the eviction order survives a restart of the process. */
    static void touch(Path folder) {
        try {
            Files.setLastModifiedTime(folder, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // only the eviction order after a restart suffers
        }
    }

    static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}", p, e);
        }
    }

    static boolean isEntry(Path p) {
        return KEY.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p);
    }

    /** The pid that owns a temporary or trash folder, or empty for any other name. */
    static OptionalLong scratchOwner(Path p) {
        Matcher m = SCRATCH.matcher(p.getFileName().toString());
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(2))) : OptionalLong.empty();
    }

    /** The store inside a complete entry (its only child), or null if the folder is not one. */
    static Path storeOf(Path entry) throws IOException {
        try (Stream<Path> children = Files.list(entry)) {
            return children.filter(c -> !c.getFileName().toString().startsWith(".")).findFirst().orElse(null);
        }
    }

    /** Bytes of all regular files under {@code p}. */
    static long size(Path p) throws IOException {
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total.addAndGet(attrs.size());
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    /** Deletes a file or a tree; a path that is already gone is fine. */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteIfExists(Path p) throws IOException {
        try {
            Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // removed concurrently: the goal is reached
        }
    }
}
