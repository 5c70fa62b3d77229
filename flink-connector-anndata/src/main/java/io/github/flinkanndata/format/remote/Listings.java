package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The directory listings that {@link RangeReader#statListed} and {@link RangeReader#listed}
 * answer from, by store and directory, and the status of each store's root ({@link
 * RangeReader#stat} of the root); shared by the readers that may use one another's listings (the source shares one per job and
 * node, as the {@link ObjectVersions}, so that the enumerator and every reader of a job on a node
 * list each directory once). Bounded: past {@link RangeReader#MAX_STATS} listed objects it starts
 * over. Thread-safe.
 */
@Internal
public final class Listings {
    /** Lists one directory (with the reader's retries and version bookkeeping). */
    interface Lister {
        List<ObjectInfo> list(String dir) throws IOException;
    }

    private final ConcurrentMap<String, CompletableFuture<Map<String, ObjectInfo>>> byDirectory =
            new ConcurrentHashMap<>();
    private final AtomicLong objects = new AtomicLong();
    /** The status of each store's root (a directory, or the one object of a single-file store). */
    private final ConcurrentMap<String, CompletableFuture<java.util.Optional<ObjectInfo>>> roots =
            new ConcurrentHashMap<>();

    /** Asks one status (with the reader's retries and version bookkeeping). */
    interface Stater {
        java.util.Optional<ObjectInfo> stat() throws IOException;
    }

    /**
     * The status of the root of the store at {@code location}, asked once by {@code stater}
     * (every reader of a job opens the store: on S3 a status of a directory is a HEAD and a
     * listing); concurrent askers wait for that one request. A failure is not kept.
     */
    java.util.Optional<ObjectInfo> root(String location, Stater stater) throws IOException {
        CompletableFuture<java.util.Optional<ObjectInfo>> mine = new CompletableFuture<>();
        CompletableFuture<java.util.Optional<ObjectInfo>> f = roots.putIfAbsent(location, mine);
        if (f != null) {
            return RangeFetches.await(f, location);
        }
        try {
            java.util.Optional<ObjectInfo> info = stater.stat();
            if (roots.size() > RangeReader.MAX_STATS) {
                roots.clear();
            }
            mine.complete(info);
            return info;
        } catch (IOException | RuntimeException e) {
            roots.remove(location, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * The objects of directory {@code dir} of the store at {@code location}, by key, listed once by
     * {@code lister}; concurrent askers wait for that one listing. A failed listing is not kept.
     */
    Map<String, ObjectInfo> directory(String location, String dir, Lister lister) throws IOException {
        String key = location + '\0' + dir;
        CompletableFuture<Map<String, ObjectInfo>> mine = new CompletableFuture<>();
        CompletableFuture<Map<String, ObjectInfo>> f = byDirectory.putIfAbsent(key, mine);
        if (f != null) {
            return RangeFetches.await(f, location);
        }
        try {
            Map<String, ObjectInfo> byKey = new HashMap<>();
            for (ObjectInfo c : lister.list(dir)) {
                byKey.put(c.key(), c);
            }
            if (objects.addAndGet(byKey.size()) > RangeReader.MAX_STATS) {
                byDirectory.clear(); // the next reads list again; this read keeps its own answer
                objects.set(0);
            }
            mine.complete(byKey);
            return byKey;
        } catch (IOException | RuntimeException e) {
            byDirectory.remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }
}
