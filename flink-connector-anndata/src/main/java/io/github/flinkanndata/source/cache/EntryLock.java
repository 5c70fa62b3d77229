package io.github.flinkanndata.source.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The cross-process half of "never evict an entry in use": a process using an entry holds a
 * shared OS lock on the entry's {@code .lease} file; a process evicting it must get the exclusive
 * lock first, so it skips entries another process (a JobManager beside a TaskManager) reads.
 *
 * <p>OS file locks belong to the process, and closing any channel on the file may drop all of
 * them, so the cache keeps at most one channel per entry: opened when the entry's first lease in
 * this process is taken, closed with the last. {@link StoreCache} calls this under its monitor.
 *
 * <p>Two cache instances on one folder in one JVM (the connector in two jobs' user jars on one
 * TaskManager) cannot both lock: the second one's leases then lean on the first one's lock, and
 * neither evicts what the other has locked, but the first may evict an entry after releasing it
 * while the second still reads it. Shared folders across jobs are safest with the connector in
 * Flink's {@code lib/}, where one instance serves every job.
 */
@Internal
final class EntryLock {
    static final String FILE = ".lease";

    // both null when another cache instance of this JVM holds the OS lock
    @Nullable private final FileChannel channel;
    @Nullable private final FileLock lock;

    private EntryLock(@Nullable FileChannel channel, @Nullable FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The shared lock on {@code folder}'s entry, or null if the folder is gone (evicted meanwhile). */
    @Nullable
    static EntryLock share(Path folder) throws IOException {
        FileChannel ch;
        try {
            ch = open(folder);
        } catch (NoSuchFileException gone) {
            return null;
        }
        try {
            // waits only while another process holds the exclusive lock to rename the folder away
            FileLock l = ch.lock(0, Long.MAX_VALUE, true);
            if (!java.nio.file.Files.isDirectory(folder)) {
                l.release();
                ch.close();
                return null;
            }
            return new EntryLock(ch, l);
        } catch (OverlappingFileLockException heldInThisJvm) {
            // a second cache instance on the same folder in this JVM (the connector loaded by two
            // jobs' class loaders) holds the lock: other processes stay away while it does
            ch.close();
            return java.nio.file.Files.isDirectory(folder) ? new EntryLock(null, null) : null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    void release() {
        if (channel == null) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the OS drops the lock with the process anyway
        }
    }

    interface Action {
        void run() throws IOException;
    }

    /**
     * Runs {@code action} under the exclusive lock of {@code folder}'s entry; returns false without
     * running it when another process holds a shared lock. Must not be called while this process
     * holds a lock on the entry.
     */
    static boolean ifUnused(Path folder, Action action) throws IOException {
        try (FileChannel ch = open(folder)) {
            FileLock l;
            try {
                l = ch.tryLock(0, Long.MAX_VALUE, false);
            } catch (OverlappingFileLockException heldInThisJvm) {
                return false; // another cache instance of this JVM is using it
            }
            if (l == null) {
                return false;
            }
            action.run();
            return true;
        }
    }

    private static FileChannel open(Path folder) throws IOException {
        // created on demand: entries written before this file existed get one on first use
        return FileChannel.open(folder.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }
}
