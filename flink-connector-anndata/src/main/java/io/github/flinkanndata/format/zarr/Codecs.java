package io.github.flinkanndata.format.zarr;

import com.fasterxml.jackson.databind.JsonNode;

import javax.annotation.Nullable;

/**
 * Finds the {@link BytesCodec} for a v2 {@code compressor} or a v3 bytes→bytes codec name.
 *
 * <p>Decoding needs no codec parameter (levels, blosc's cname and shuffle are all recorded in the
 * compressed frames), so configurations are not inspected beyond the name.
 */
final class Codecs {

    private Codecs() {}

    /** The codec of a zarr v2 {@code compressor} object, e.g. {@code {"id": "blosc", ...}}. */
    static BytesCodec v2Compressor(JsonNode compressor) throws MetadataException {
        String id = compressor.path("id").asText("");
        BytesCodec codec = byNumcodecsId(id);
        if (codec == null) {
            throw new MetadataException(
                    "unsupported compressor '"
                            + id
                            + "' (supported: blosc, zstd, gzip, zlib, lz4, bz2)");
        }
        return codec;
    }

    /**
     * A v3 bytes→bytes codec by name, or null if the name is not one. Besides the spec's codecs,
     * zarr-python 3 writes numcodecs compressors as {@code numcodecs.<id>}.
     */
    @Nullable
    static BytesCodec v3(String name) {
        switch (name) {
            case "zstd":
                return ZstdCodec.INSTANCE;
            case "gzip":
                return GzipCodec.GZIP;
            case "blosc":
                return BloscCodec.INSTANCE;
            case "crc32c":
                return Crc32cCodec.INSTANCE;
            default:
                return name.startsWith("numcodecs.") ? byNumcodecsId(name.substring(10)) : null;
        }
    }

    @Nullable
    private static BytesCodec byNumcodecsId(String id) {
        switch (id) {
            case "blosc":
                return BloscCodec.INSTANCE;
            case "zstd":
                return ZstdCodec.INSTANCE;
            case "gzip":
                return GzipCodec.GZIP;
            case "zlib":
                return GzipCodec.ZLIB;
            case "lz4":
                return Lz4Codec.INSTANCE;
            case "bz2":
                return Bz2Codec.INSTANCE;
            default:
                return null;
        }
    }
}
