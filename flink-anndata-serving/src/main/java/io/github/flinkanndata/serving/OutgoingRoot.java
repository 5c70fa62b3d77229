package io.github.flinkanndata.serving;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * An Arrow root whose buffers are sent without a copy and filled again for the next batch once the
 * previous message no longer holds them.
 *
 * <p>With zero-copy writes ({@code setUseZeroCopy}) a Flight message keeps references to the root's
 * buffers until Netty has written them to the socket, after {@code putNext} returned: refilling the
 * root before that would change bytes still on their way. Arrow counts those references per
 * buffer, so {@link #awaitWritten} waits until the counts are back to what they were right after
 * the last fill ({@link #filled}). The copy that zero-copy avoids was not only a copy: gRPC
 * allocated fresh pooled Netty chunks for it and zeroed them, a few percent of the serving JVM's
 * CPU at hundreds of MB/s.
 */
final class OutgoingRoot implements AutoCloseable {
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final VectorSchemaRoot root;
    /** Sum of the buffers' reference counts right after the last fill; -1 before the first. */
    private long filledRefs = -1;

    OutgoingRoot(VectorSchemaRoot root) {
        this.root = root;
    }

    VectorSchemaRoot root() {
        return root;
    }

    /** Records the buffers' references after a fill: a message sent from now on adds to them. */
    void filled() {
        filledRefs = refs();
    }

    /**
     * Waits until no message holds the buffers any more; false if {@code timeoutMillis} passed or
     * {@code abandon} said to stop first (then the root must not be filled again).
     */
    boolean awaitWritten(long timeoutMillis, BooleanSupplier abandon) throws InterruptedException {
        if (filledRefs < 0) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (refs() > filledRefs) {
            if (abandon.getAsBoolean() || System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        return true;
    }

    private long refs() {
        long n = 0;
        for (FieldVector v : root.getFieldVectors()) {
            for (ArrowBuf b : v.getBuffers(false)) {
                n += b.refCnt();
            }
        }
        return n;
    }

    /** Releases the root's references; a message still being written keeps its buffers alive. */
    @Override
    public void close() {
        root.close();
    }
}
