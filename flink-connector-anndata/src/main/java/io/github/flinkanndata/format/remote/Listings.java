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
 * The directory listings that {@link RangeReader#statListed} answers from, by store and directory;
 * shared by the readers that may use one another's listings (the source shares one per job and
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
