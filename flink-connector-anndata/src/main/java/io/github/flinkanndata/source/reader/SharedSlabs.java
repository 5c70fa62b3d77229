package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.format.tree.SlabPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.annotation.Internal;

/**
 * The {@link SlabPool} the split readers of a JVM share, kept while any of them is open: the last
 * to close empties it (a TaskManager outlives its jobs, and free arrays would otherwise stay).
 */
@Internal
final class SharedSlabs {
    /** The readers of this JVM (a TaskManager's): at most an eighth of the heap kept free. */
    static final SharedSlabs JVM = new SharedSlabs(Runtime.getRuntime().maxMemory() / 8);

    private final SlabPool pool;
    private final AtomicInteger open = new AtomicInteger();

    SharedSlabs(long maxFreeBytes) {
        this.pool = new SlabPool(maxFreeBytes);
    }

    /** A reader opens: the pool it decodes into. */
    SlabPool open() {
        open.incrementAndGet();
        return pool;
    }

    /** A reader has closed (once per {@link #open}). */
    void close() {
        if (open.decrementAndGet() == 0) {
            pool.clear();
        }
    }

    /** Bytes of free arrays held. */
    long freeBytes() {
        return pool.freeBytes();
    }
}
