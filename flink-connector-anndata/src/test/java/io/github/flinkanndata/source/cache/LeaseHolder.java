package io.github.flinkanndata.source.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Plays "another process reading a cache entry" in {@link StoreCacheTest}: holds a shared lock on
 * the entry's lease file (as the cache does for a leased entry), says so on stdout, and keeps it
 * until its stdin closes.
 */
public final class LeaseHolder {
    private LeaseHolder() {}

    public static void main(String[] args) throws IOException {
        try (FileChannel ch = FileChannel.open(Paths.get(args[0]), StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock lock = ch.lock(0, Long.MAX_VALUE, true)) {
            System.out.println("locked " + lock.isShared());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our stdin
            }
        }
    }
}
