package io.github.flinkanndata.format.zarr;

import java.nio.ByteOrder;
import java.util.List;

import javax.annotation.Nullable;

/**
 * The decoding recipe of one chunk, common to zarr v2 and v3:
 *
 * <pre>
 * stored bytes → bytes→bytes codecs, last first (v2: the compressor; v3: zstd, gzip, blosc, crc32c)
 *              → one array→bytes step (raw elements in a byte order, or vlen-utf8 strings)
 *              → array→array steps, last first (v3 transpose; v2 order "F")
 *              → Java array in C order ({@link Elements})
 * </pre>
 *
 * When the array→bytes step is {@code sharding_indexed}, {@link #sharding} is set and this pipeline
 * only describes the shard container; each inner chunk is decoded by {@link ShardingSpec#inner}.
 *
 * <p>Every decompression is bounded by the size the chunk must have (see {@link BytesCodec}), and
 * the final size is checked exactly: a chunk of the wrong size is an error, never a silent short
 * read. Immutable and thread-safe.
 */
final class CodecPipeline {

    /**
     * The largest Java array we allocate (a few bytes below Integer.MAX_VALUE, as the JDK does).
     */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    /**
     * Variable-length strings have no size to check against, so a chunk may decompress to 16 MiB
     * plus 4 KiB per element: far above real string chunks (a million short labels fit in the
     * per-element part), far below what a decompression bomb would need to exhaust the heap. With
     * 64 MiB, a 130-byte bz2 chunk of a few strings inflated to tens of MB before its checksum
     * failed, and the growing buffer allocated over 64 MiB for it (reader fuzzing).
     */
    private static final long VLEN_BASE_LIMIT = 16L << 20;

    private static final long VLEN_PER_ITEM_LIMIT = 4096;

    /**
     * Per-thread buffer that {@link #decodeInto} decompresses into before converting into the
     * slab (chunks of one array all have one size, so it is reused chunk after chunk); kept only
     * for chunks up to {@link #MAX_SCRATCH} bytes.
     */
    private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();

    private static final long MAX_SCRATCH = 16L << 20;

    private final List<int[]> transposes;
    private final boolean vlen;
    private final ByteOrder byteOrder;
    private final List<BytesCodec> bytesCodecs;
    @Nullable private final ShardingSpec sharding;

    /**
     * @param transposes array→array permutations in encoding order
     * @param vlen true for the vlen-utf8 array→bytes step, false for raw elements
     * @param byteOrder byte order of raw elements when the data type does not fix it itself
     * @param bytesCodecs bytes→bytes codecs in encoding order
     * @param sharding the sharding configuration, or null for an unsharded array
     */
    CodecPipeline(
            List<int[]> transposes,
            boolean vlen,
            ByteOrder byteOrder,
            List<BytesCodec> bytesCodecs,
            @Nullable ShardingSpec sharding) {
        this.transposes = List.copyOf(transposes);
        this.vlen = vlen;
        this.byteOrder = byteOrder;
        this.bytesCodecs = List.copyOf(bytesCodecs);
        this.sharding = sharding;
    }

    @Nullable
    ShardingSpec sharding() {
        return sharding;
    }

    boolean isVlen() {
        return vlen;
    }

    /** Byte order of the elements: the data type's own (v2) or the bytes codec's (v3). */
    ByteOrder byteOrder(ZarrDType t) {
        return t.order != null ? t.order : byteOrder;
    }

    /**
     * Decodes one stored chunk of {@code chunkShape} (the full chunk shape, also at the edges) into
     * a Java array: primitive or {@code String[]}, or raw record bytes for structured types.
     */
    Object decode(byte[] stored, int[] chunkShape, ZarrDType type) throws CodecException {
        int n = elementCount(chunkShape);
        long expected = type.isFixedSize() ? (long) n * type.itemSize : -1;
        byte[] data = bytesStage(stored, n, expected);
        int[][] shapes = stageShapes(chunkShape);
        if (vlen) {
            String[] strings = VlenUtf8.decode(data, n);
            for (int i = transposes.size() - 1; i >= 0; i--) {
                strings = Transpose.decode(strings, shapes[i], transposes.get(i));
            }
            return strings;
        }
        if (data.length != expected) {
            throw new CodecException(
                    "decoded chunk has "
                            + data.length
                            + " bytes, expected "
                            + expected
                            + " ("
                            + n
                            + " elements of "
                            + type
                            + ")");
        }
        for (int i = transposes.size() - 1; i >= 0; i--) {
            data = Transpose.decode(data, type.itemSize, shapes[i], transposes.get(i));
        }
        return Elements.fromBytes(data, type, byteOrder(type), n);
    }

    /** Runs the bytes→bytes codecs, last first, each bounded by what it may legitimately produce. */
    private byte[] bytesStage(byte[] stored, int n, long expected) throws CodecException {
        long bound =
                expected >= 0
                        ? expected
                        : Math.min(MAX_ARRAY, VLEN_BASE_LIMIT + VLEN_PER_ITEM_LIMIT * n);
        // bounds[i]: the most that codec i may legitimately produce while decoding
        long[] bounds = new long[bytesCodecs.size()];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = bound;
            bound = bytesCodecs.get(i).encodedBound(bound);
        }
        byte[] data = stored;
        for (int i = bytesCodecs.size() - 1; i >= 0; i--) {
            data = bytesCodecs.get(i).decode(data, (int) Math.min(bounds[i], MAX_ARRAY));
        }
        return data;
    }

    /**
     * Whether {@link #decodeInto} can decode chunks of {@code type}: plain numbers, no
     * array→array step.
     */
    boolean decodesInto(ZarrDType type) {
        return !vlen && transposes.isEmpty() && Elements.convertsInto(type);
    }

    /**
     * Decodes one stored chunk of {@code chunkShape} straight into {@code out} at {@code pos}
     * (C order), skipping the chunk-sized array {@link #decode} would allocate: for chunks that a
     * range read covers whole and does not cache. Only when {@link #decodesInto} says so.
     */
    void decodeInto(byte[] stored, int[] chunkShape, ZarrDType type, Object out, int pos) throws CodecException {
        int n = elementCount(chunkShape);
        long expected = (long) n * type.itemSize;
        byte[] data = null;
        if (bytesCodecs.size() == 1 && expected <= MAX_SCRATCH) {
            // one codec that can decode into a buffer: this thread's scratch, not a new array
            byte[] scratch = SCRATCH.get();
            if (scratch == null || scratch.length != expected) {
                scratch = new byte[(int) expected];
                SCRATCH.set(scratch);
            }
            if (bytesCodecs.get(0).decodeExact(stored, scratch)) {
                data = scratch;
            }
        }
        if (data == null) {
            data = bytesStage(stored, n, expected);
        }
        if (data.length != expected) {
            throw new CodecException(
                    "decoded chunk has " + data.length + " bytes, expected " + expected + " (" + n
                            + " elements of " + type + ")");
        }
        Elements.into(data, type, byteOrder(type), n, out, pos);
    }

    /** shapes[i] is the chunk shape that array→array codec i receives while encoding. */
    private int[][] stageShapes(int[] chunkShape) {
        int[][] shapes = new int[transposes.size() + 1][];
        shapes[0] = chunkShape;
        for (int i = 0; i < transposes.size(); i++) {
            shapes[i + 1] = Transpose.encodedShape(shapes[i], transposes.get(i));
        }
        return shapes;
    }

    /** Element count of a chunk; metadata parsing guarantees that it fits in an int. */
    static int elementCount(int[] chunkShape) {
        long n = 1;
        for (int d : chunkShape) {
            n *= d;
        }
        return (int) n;
    }
}
