package io.github.flinkanndata.format.zarr;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the array fields of a zarr v3 {@code zarr.json} into {@link ArrayMetadata}.
 *
 * <p>Supported: the {@code regular} chunk grid; the {@code default} and {@code v2} chunk key
 * encodings; codecs {@code transpose}, {@code bytes}, {@code vlen-utf8}, {@code sharding_indexed}
 * (index codecs {@code [bytes]} or {@code [bytes, crc32c]}, index at the end or the start), {@code
 * zstd}, {@code gzip}, {@code blosc}, {@code crc32c} and zarr-python's {@code numcodecs.*}
 * compressors. Refused with a message: other codecs, nested sharding, array→array codecs before
 * sharding and bytes→bytes codecs after it (either would force whole-shard reads), and storage
 * transformers.
 */
final class V3Metadata {

    private V3Metadata() {}

    static ArrayMetadata parseArray(JsonNode json) throws MetadataException {
        long[] shape = ZarrJson.longs(json.get("shape"), "shape");
        ZarrDType type = DTypeParser.v3(json.get("data_type"));

        JsonNode grid = json.path("chunk_grid");
        if (!"regular".equals(grid.path("name").asText())) {
            throw new MetadataException("unsupported chunk_grid " + grid + " (only regular)");
        }
        int[] chunks =
                ZarrJson.positiveInts(grid.path("configuration").get("chunk_shape"), "chunk_shape");

        JsonNode transformers = json.path("storage_transformers");
        if (transformers.isArray() && !transformers.isEmpty()) {
            throw new MetadataException("unsupported storage_transformers " + transformers);
        }
        CodecPipeline pipeline = chain(json.get("codecs"), type, shape.length, false);
        Object fill = FillValue.parse(json.get("fill_value"), type);
        return new ArrayMetadata(
                shape, chunks, type, fill, keyEncoding(json.path("chunk_key_encoding")), pipeline);
    }

    private static ChunkKeyEncoding keyEncoding(JsonNode encoding) throws MetadataException {
        String name = encoding.path("name").asText("default");
        JsonNode separator = encoding.path("configuration").path("separator");
        switch (name) {
            case "default":
                return ChunkKeyEncoding.v3Default(separator(separator, "/"));
            case "v2":
                return ChunkKeyEncoding.v2(separator(separator, "."));
            default:
                throw new MetadataException("unsupported chunk_key_encoding '" + name + "'");
        }
    }

    private static String separator(JsonNode n, String fallback) throws MetadataException {
        String s = n.isMissingNode() || n.isNull() ? fallback : n.asText();
        if (!s.equals(".") && !s.equals("/")) {
            throw new MetadataException("unsupported chunk key separator '" + s + "'");
        }
        return s;
    }

    /** Parses a codec list into a pipeline; {@code inShard} is true for the codecs of a shard. */
    static CodecPipeline chain(JsonNode codecs, ZarrDType type, int rank, boolean inShard)
            throws MetadataException {
        if (codecs == null || !codecs.isArray()) {
            throw new MetadataException("codecs is not a JSON array: " + codecs);
        }
        List<int[]> transposes = new ArrayList<>();
        List<BytesCodec> bytesCodecs = new ArrayList<>();
        Boolean vlen = null; // set by the array→bytes codec
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        ShardingSpec sharding = null;
        for (JsonNode codec : codecs) {
            String name = codec.isTextual() ? codec.asText() : codec.path("name").asText("");
            JsonNode config = codec.path("configuration");
            boolean arrayStage = vlen == null;
            switch (name) {
                case "transpose":
                    requireStage(arrayStage, name);
                    transposes.add(permutation(config.path("order"), rank));
                    break;
                case "bytes":
                    requireStage(arrayStage, name);
                    order = endian(config.path("endian"));
                    vlen = false;
                    break;
                case "vlen-utf8":
                    requireStage(arrayStage, name);
                    vlen = true;
                    break;
                case "sharding_indexed":
                    requireStage(arrayStage, name);
                    if (inShard) {
                        throw new MetadataException("unsupported codec: nested sharding_indexed");
                    }
                    if (!transposes.isEmpty()) {
                        throw new MetadataException(
                                "unsupported codec chain: transpose before sharding_indexed");
                    }
                    sharding = sharding(config, type, rank);
                    vlen = false;
                    break;
                default:
                    BytesCodec b = Codecs.v3(name);
                    if (b == null) {
                        throw new MetadataException("unsupported codec '" + name + "'");
                    }
                    if (arrayStage) {
                        throw new MetadataException(
                                "invalid codec chain: '" + name + "' before the array→bytes codec");
                    }
                    if (sharding != null) {
                        throw new MetadataException(
                                "unsupported codec chain: '"
                                        + name
                                        + "' after sharding_indexed"
                                        + " would force whole-shard reads");
                    }
                    bytesCodecs.add(b);
            }
        }
        if (vlen == null) {
            throw new MetadataException(
                    "codecs have no array→bytes codec (bytes, vlen-utf8 or sharding_indexed)");
        }
        if (sharding == null && vlen != (type.kind == ZarrDType.Kind.VLEN_STRING)) {
            throw new MetadataException(
                    vlen
                            ? "vlen-utf8 codec on data type " + type
                            : "data type " + type + " needs the vlen-utf8 codec");
        }
        return new CodecPipeline(transposes, vlen, order, bytesCodecs, sharding);
    }

    private static void requireStage(boolean arrayStage, String name) throws MetadataException {
        if (!arrayStage) {
            throw new MetadataException(
                    "invalid codec chain: '" + name + "' after the array→bytes codec");
        }
    }

    private static ByteOrder endian(JsonNode endian) throws MetadataException {
        String e = endian.isMissingNode() || endian.isNull() ? "little" : endian.asText();
        switch (e) {
            case "little":
                return ByteOrder.LITTLE_ENDIAN;
            case "big":
                return ByteOrder.BIG_ENDIAN;
            default:
                throw new MetadataException("unsupported endian '" + e + "'");
        }
    }

    /** A transpose order: a permutation list, or the early spec drafts' "C" and "F". */
    private static int[] permutation(JsonNode order, int rank) throws MetadataException {
        if (order.isTextual() && order.asText().equals("C")) {
            return identity(rank);
        }
        if (order.isTextual() && order.asText().equals("F")) {
            return Transpose.reversed(rank);
        }
        long[] values = ZarrJson.longs(order, "transpose order");
        int[] p = new int[values.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (int) Math.min(values[i], Integer.MAX_VALUE);
        }
        if (!Transpose.isPermutation(p, rank)) {
            throw new MetadataException(
                    "transpose order " + order + " is not a permutation of " + rank + " axes");
        }
        return p;
    }

    private static int[] identity(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = i;
        }
        return p;
    }

    private static ShardingSpec sharding(JsonNode config, ZarrDType type, int rank)
            throws MetadataException {
        int[] inner = ZarrJson.positiveInts(config.get("chunk_shape"), "sharding chunk_shape");
        if (inner.length != rank) {
            throw new MetadataException(
                    "sharding chunk_shape has " + inner.length + " dimensions, the array " + rank);
        }
        CodecPipeline innerPipeline = chain(config.get("codecs"), type, rank, true);
        String location = config.path("index_location").asText("end");
        if (!location.equals("end") && !location.equals("start")) {
            throw new MetadataException("unsupported shard index_location '" + location + "'");
        }
        JsonNode indexCodecs = config.path("index_codecs");
        if (!indexCodecs.isArray() || indexCodecs.isEmpty() || indexCodecs.size() > 2) {
            throw new MetadataException("unsupported shard index_codecs " + indexCodecs);
        }
        JsonNode first = indexCodecs.get(0);
        JsonNode second = indexCodecs.get(1);
        boolean crc = second != null;
        if (!"bytes".equals(first.isTextual() ? first.asText() : first.path("name").asText())
                || (crc
                        && !"crc32c"
                                .equals(
                                        second.isTextual()
                                                ? second.asText()
                                                : second.path("name").asText()))) {
            throw new MetadataException(
                    "unsupported shard index_codecs "
                            + indexCodecs
                            + " (expected [bytes, crc32c])");
        }
        ByteOrder order = endian(first.path("configuration").path("endian"));
        return new ShardingSpec(inner, innerPipeline, location.equals("end"), order, crc);
    }
}
