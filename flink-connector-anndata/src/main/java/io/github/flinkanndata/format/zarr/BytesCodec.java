package io.github.flinkanndata.format.zarr;

/**
 * A bytes → bytes codec (a v2 compressor, or a v3 bytes-to-bytes codec such as zstd or crc32c),
 * used for decoding only.
 *
 * <p>Implementations are stateless and thread-safe.
 */
interface BytesCodec {

    /**
     * Decodes one encoded value.
     *
     * @param maxOutput the largest output the caller can accept. Decompressors must stop (and
     *     throw) as soon as the output would exceed it, so that a small corrupted or hostile chunk
     *     cannot allocate more memory than the chunk it claims to be.
     * @throws CodecException if the input is corrupted, truncated or decodes to too many bytes
     */
    byte[] decode(byte[] input, int maxOutput) throws CodecException;

    /**
     * An upper bound of the encoded size of {@code decodedSize} bytes, used to bound the output of
     * the codec that runs before this one while decoding.
     */
    default long encodedBound(long decodedSize) {
        // Compressors may expand incompressible data a little (zstd/gzip/blosc headers, stored
        // blocks); 1/8 + 1 KiB is far above any of their worst cases.
        return decodedSize + decodedSize / 8 + 1024;
    }

    /**
     * Decodes one encoded value that must decode to exactly {@code out.length} bytes, into {@code
     * out}: how a chunk read straight into a slab skips the decoded array. Returns false, having
     * written nothing, if this codec cannot tell the size up front (the caller then uses {@link
     * #decode}).
     *
     * @throws CodecException as {@link #decode}, and if the value decodes to another size
     */
    default boolean decodeExact(byte[] input, byte[] out) throws CodecException {
        return false;
    }

    /** The codec's name for messages. */
    String name();
}
