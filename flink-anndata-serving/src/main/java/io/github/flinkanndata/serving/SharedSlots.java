package io.github.flinkanndata.serving;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * A ring of shared-memory slots through which one rank on the server's host receives its batches:
 * each slot a file in the {@linkplain SharedMemory shared-memory folder} holding one batch as an
 * Arrow IPC stream (schema, record batch, end), which the rank maps and reads without a copy. The
 * Flight stream then carries only the batch's metadata naming the slot.
 *
 * <p>Over a socket every batch was copied four times on its way (into the kernel, out of it, and
 * twice by Netty and gRPC), which cost each rank more CPU than annbatch spends reading the same
 * cells; through a slot it is copied once, by the server.
 *
 * <p>A slot is written again only after the rank released it: the rank's arrays are views of the
 * slot, so it releases a slot when the last of them is gone, by storing the generation it read
 * into the slot's entry of the control file (one little-endian int64 per slot). A slot whose
 * message the rank never received (a stream that broke) is reclaimed when the rank's next ticket
 * names a lower generation as the last it saw. The rank removes each file once it has mapped it
 * (so does the server when the rank's first release proves that), so a process killed later leaves
 * nothing behind: mappings outlive names.
 *
 * <p>Thread-safe: two streams of one rank (a reconnect while the old stream winds down) take turns.
 */
final class SharedSlots implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Room for the schema and record batch messages' metadata and the end marker, beyond the body. */
    private static final long HEADROOM = 64 << 10;
    private static final long ROUND = 1 << 20;

    private final String name;
    private final Path dir;
    private final Path control;
    private boolean controlLinked = true;
    private final MappedByteBuffer released;
    private final Slot[] slots;
    private long generation;
    private int files;
    private volatile boolean closed;

    private static final class Slot {
        /** The file of the current mapping (named until the rank has mapped it). */
        Path file;
        boolean linked;
        MappedByteBuffer map;
        /** The generation last written, 0 before the first. */
        long gen;
        /** The rank never received the last message: free whatever the control file says. */
        boolean reclaimed;
    }

    /** A ring named {@code name} (the prefix of its files in {@code dir}) of {@code count} slots. */
    SharedSlots(Path dir, String name, int count) throws IOException {
        this.dir = dir;
        this.name = name;
        this.control = dir.resolve(name + ".ctl");
        this.slots = new Slot[count];
        for (int i = 0; i < count; i++) {
            slots[i] = new Slot();
        }
        this.released = map(control, 8L * count);
    }

    String name() {
        return name;
    }

    /** The control file, as the rank opens it. */
    Path control() {
        return control;
    }

    int size() {
        return slots.length;
    }

    private static MappedByteBuffer map(Path file, long size) throws IOException {
        SharedMemory.created(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            // tmpfs finds a page when it is first touched: had the folder less room left than the
            // mapping (a container's /dev/shm is often 64 MB), the first write into the mapping
            // would crash the JVM (SIGBUS); writing the file first fails with an IOException
            ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(size, ROUND));
            for (long at = 0; at < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                at += ch.write(zeros, at);
            }
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            m.order(ByteOrder.LITTLE_ENDIAN);
            return m;
        } catch (IOException | RuntimeException e) {
            delete(file);
            throw e;
        }
    }

    private long releasedGen(int i) {
        return (long) LONGS.getAcquire(released, i * 8);
    }

    /** Whether slot {@code i} may be written; removes its file once the rank released it (it has it mapped). */
    private boolean free(int i) {
        Slot s = slots[i];
        if (s.gen == 0 || s.reclaimed) {
            return true;
        }
        if (releasedGen(i) < s.gen) {
            return false;
        }
        unlink(s);
        if (controlLinked) {
            delete(control);
            controlLinked = false;
        }
        return true;
    }

    private void unlink(Slot s) {
        if (s.linked) {
            delete(s.file);
            s.linked = false;
        }
    }

    private static void delete(Path p) {
        SharedMemory.delete(p);
    }

    /** The rank saw generations up to {@code seen} only: later ones it will never read. */
    synchronized void reclaimAfter(long seen) {
        for (Slot s : slots) {
            if (s.gen > seen) {
                s.reclaimed = true;
            }
        }
    }

    /**
     * Writes the filled {@code root} into the lowest free slot (the fewest slots in use, so the
     * fewest pages touched) as an Arrow IPC stream of one batch, waiting up to {@code timeoutMillis}
     * for one; null on timeout, when {@code abandon} says to stop first, or once closed.
     */
    Written put(VectorSchemaRoot root, long timeoutMillis, BooleanSupplier abandon) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!closed) {
            Written w = tryPut(root);
            if (w != null) {
                return w;
            }
            if (abandon.getAsBoolean() || System.nanoTime() - deadline > 0) {
                return null;
            }
            LockSupport.parkNanos(POLL_NANOS); // not holding the monitor: close() never waits for this
        }
        return null;
    }

    @Nullable
    private synchronized Written tryPut(VectorSchemaRoot root) throws IOException {
        if (closed) {
            return null;
        }
        for (int i = 0; i < slots.length; i++) {
            if (free(i)) {
                return write(i, root);
            }
        }
        return null;
    }

    /** Where a written batch lies: file, its mapped size, slot, generation and the stream's length. */
    record Written(Path file, long size, int slot, long gen, long length) {
        /** The {@code shm} member of the batch's metadata. */
        String json(SharedSlots ring) {
            return "{\"ring\":\"" + ring.name + "\",\"ctl\":\"" + SharedMemory.escape(ring.control.toString())
                    + "\",\"slots\":" + ring.slots.length + ",\"file\":\"" + SharedMemory.escape(file.toString())
                    + "\",\"size\":" + size + ",\"slot\":" + slot + ",\"gen\":" + gen + ",\"len\":" + length + "}";
        }
    }

    /** Writes the filled {@code root} into free slot {@code i} as an Arrow IPC stream of one batch. */
    private Written write(int i, VectorSchemaRoot root) throws IOException {
        Slot s = slots[i];
        try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
            long need = batch.computeBodyLength() + HEADROOM;
            if (s.map == null || s.map.capacity() < need) {
                unlink(s); // a file the rank may never have mapped: nothing names it any more
                // a quarter more than needed, so a batch a little larger than the last one fits
                long size = (need + need / 4 + ROUND - 1) / ROUND * ROUND;
                if (size > Integer.MAX_VALUE) {
                    throw new IOException("a batch of " + need + " bytes is too large for a shared-memory slot");
                }
                Path f = dir.resolve(name + "-" + i + "-" + (files++));
                s.map = map(f, size);
                s.file = f;
                s.linked = true;
            }
            ByteBuffer out = s.map.duplicate().clear();
            WriteChannel ch = new WriteChannel(new Into(out));
            MessageSerializer.serialize(ch, root.getSchema());
            MessageSerializer.serialize(ch, batch);
            ArrowStreamWriter.writeEndOfStream(ch, IpcOption.DEFAULT);
            s.gen = ++generation;
            s.reclaimed = false;
            return new Written(s.file, s.map.capacity(), i, s.gen, ch.getCurrentPosition());
        }
    }

    /** Removes the files still named; mappings end with their buffers (the rank's stay valid). */
    @Override
    public synchronized void close() {
        closed = true;
        for (Slot s : slots) {
            unlink(s);
            s.map = null;
        }
        if (controlLinked) {
            delete(control);
            controlLinked = false;
        }
    }

    /** Bulk copies into a mapped buffer; Arrow writes each body buffer with one call. */
    private static final class Into implements WritableByteChannel {
        private final ByteBuffer out;

        Into(ByteBuffer out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (n > out.remaining()) {
                throw new IOException("a batch overran its shared-memory slot (" + out.capacity() + " bytes)");
            }
            out.put(src);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }
}
