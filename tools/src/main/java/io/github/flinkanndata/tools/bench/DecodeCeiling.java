package io.github.flinkanndata.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.Zstd;
import com.scalableminds.bloscjava.Blosc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The decode ceiling: the stored chunks of one store's {@code X/data} and {@code X/indices} (as
 * listed by the generator's manifest, read from the page cache) decompressed with the same codec
 * libraries the reader uses and decoded into {@code float[]} / {@code int[]}, in one thread,
 * with every buffer reused — nothing else (no slicing, no rows, no records). Cells/s counts a
 * cell once both its values and its column indices were decoded.
 */
final class DecodeCeiling {
    private DecodeCeiling() {}

    private static final class Chunk {
        final Path file;
        final long offset;
        final int stored;
        final int decoded;
        final boolean isFloat;

        Chunk(Path file, long offset, int stored, int decoded, boolean isFloat) {
            this.file = file;
            this.offset = offset;
            this.stored = stored;
            this.decoded = decoded;
            this.isFloat = isFloat;
        }
    }

    static ObjectNode run(Path manifest, double seconds, ObjectMapper json) throws Exception {
        JsonNode m = json.readTree(manifest.toFile());
        long cells = m.get("cells").asLong();
        String codec = null;
        List<Chunk> chunks = new ArrayList<>();
        long totalNnz = 0;
        for (String part : new String[] {"data", "indices"}) {
            JsonNode p = m.get("parts").get(part);
            codec = p.get("codec").asText();
            totalNnz += p.get("nnz").asLong();
            boolean isFloat = part.equals("data");
            for (JsonNode e : p.get("chunks")) {
                if (e.size() == 3) { // h5ad: offsets into one file
                    chunks.add(new Chunk(Paths.get(m.get("file").asText()), e.get(0).asLong(), e.get(1).asInt(),
                            e.get(2).asInt(), isFloat));
                } else { // zarr: shard file, offset, length, decoded length
                    chunks.add(new Chunk(Paths.get(e.get(0).asText()), e.get(1).asLong(), e.get(2).asInt(),
                            e.get(3).asInt(), isFloat));
                }
            }
        }
        // interleave data and indices chunks so a partial pass covers both evenly
        List<Chunk> order = new ArrayList<>();
        int half = 0;
        for (Chunk c : chunks) {
            half += c.isFloat ? 1 : 0;
        }
        for (int i = 0; i < Math.max(half, chunks.size() - half); i++) {
            if (i < half) {
                order.add(chunks.get(i));
            }
            if (half + i < chunks.size()) {
                order.add(chunks.get(half + i));
            }
        }
        Map<Path, FileChannel> files = new HashMap<>();
        try {
            int maxStored = 0;
            int maxDecoded = 0;
            for (Chunk c : order) {
                maxStored = Math.max(maxStored, c.stored);
                maxDecoded = Math.max(maxDecoded, c.decoded);
            }
            byte[] in = new byte[maxStored];
            byte[] raw = new byte[maxDecoded];
            float[] floats = new float[maxDecoded / 4 + 1];
            int[] ints = new int[maxDecoded / 4 + 1];
            Inflater inflater = new Inflater();
            double sink = 0;
            // warm-up pass over up to 10% of the chunks, then measure
            long elements = 0;
            for (int pass = 0; pass < 2; pass++) {
                elements = 0;
                long t0 = System.nanoTime();
                long cpu0 = Probe.processCpuNanos();
                long limit = pass == 0 ? (long) (Math.min(2, seconds) * 1e9) : (long) (seconds * 1e9);
                int i = 0;
                while (System.nanoTime() - t0 < limit) {
                    Chunk c = order.get(i);
                    i = (i + 1) % order.size();
                    FileChannel ch = files.computeIfAbsent(c.file, DecodeCeiling::openChannel);
                    ByteBuffer bb = ByteBuffer.wrap(in, 0, c.stored);
                    long pos = c.offset;
                    while (bb.hasRemaining()) {
                        pos += ch.read(bb, pos);
                    }
                    int n = decompress(codec, in, c.stored, raw, c.decoded, inflater);
                    ByteBuffer le = ByteBuffer.wrap(raw == null ? in : raw, 0, n).order(ByteOrder.LITTLE_ENDIAN);
                    if (c.isFloat) {
                        le.asFloatBuffer().get(floats, 0, n / 4);
                        sink += floats[n / 8];
                    } else {
                        le.asIntBuffer().get(ints, 0, n / 4);
                        sink += ints[n / 8];
                    }
                    elements += n / 4;
                }
                if (pass == 1) {
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double cpu = (Probe.processCpuNanos() - cpu0) / 1e9;
                    TouchSink.blackhole = sink;
                    double cellsDecoded = cells * (double) elements / totalNnz;
                    ObjectNode o = json.createObjectNode();
                    o.put("loader", "ceiling");
                    o.put("codec", codec);
                    o.put("parallelism", 1);
                    o.put("cells", (long) cellsDecoded);
                    o.put("seconds", secs);
                    o.put("cells_per_s", cellsDecoded / secs);
                    o.put("cpu_s", cpu);
                    o.put("cells_per_cpu_s", cellsDecoded / cpu);
                    o.put("decoded_mb_per_s", elements * 4 / 1e6 / secs);
                    return o;
                }
            }
            throw new IllegalStateException("unreachable");
        } finally {
            for (FileChannel ch : files.values()) {
                ch.close();
            }
        }
    }

    private static FileChannel openChannel(Path p) {
        try {
            return FileChannel.open(p, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Decompresses into {@code out}; returns the decoded length. For "none" the input is the output. */
    private static int decompress(String codec, byte[] in, int stored, byte[] out, int decoded, Inflater inflater)
            throws DataFormatException {
        switch (codec) {
            case "none":
                System.arraycopy(in, 0, out, 0, stored);
                return stored;
            case "zlib": {
                inflater.reset();
                inflater.setInput(in, 0, stored);
                int n = 0;
                while (!inflater.finished() && n < decoded) {
                    n += inflater.inflate(out, n, decoded - n);
                }
                return n;
            }
            case "zstd": {
                long n = Zstd.decompressByteArray(out, 0, decoded, in, 0, stored);
                if (Zstd.isError(n)) {
                    throw new IllegalStateException(Zstd.getErrorName(n));
                }
                return (int) n;
            }
            case "blosc": {
                byte[] frame = stored == in.length ? in : java.util.Arrays.copyOf(in, stored);
                byte[] d = Blosc.decompress(frame, 1);
                System.arraycopy(d, 0, out, 0, d.length);
                return d.length;
            }
            default:
                throw new IllegalArgumentException("codec " + codec);
        }
    }
}
