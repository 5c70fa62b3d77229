package io.github.flinkanndata.format.zarr;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a zarr v2 {@code .zarray} into {@link ArrayMetadata}.
 *
 * <p>Supported: {@code compressor} null, blosc, zstd, gzip, zlib, lz4, bz2; {@code filters} null or
 * exactly {@code [vlen-utf8]} on an {@code |O} array (the only filter AnnData writes; any other is
 * refused as "unsupported filter"); {@code order} C and F; {@code dimension_separator} "." and "/".
 */
final class V2Metadata {

    private V2Metadata() {}

    static ArrayMetadata parseArray(JsonNode zarray) throws MetadataException {
        if (!zarray.isObject()) {
            throw new MetadataException(".zarray is not a JSON object");
        }
        JsonNode format = zarray.path("zarr_format");
        if (!format.isMissingNode() && format.asInt() != 2) {
            throw new MetadataException(".zarray declares zarr_format " + format);
        }
        long[] shape = ZarrJson.longs(zarray.get("shape"), "shape");
        int[] chunks = ZarrJson.positiveInts(zarray.get("chunks"), "chunks");
        ZarrDType type = DTypeParser.v2(zarray.get("dtype"));

        List<BytesCodec> compressors = new ArrayList<>();
        JsonNode compressor = zarray.path("compressor");
        if (compressor.isObject()) {
            compressors.add(Codecs.v2Compressor(compressor));
        } else if (!compressor.isNull() && !compressor.isMissingNode()) {
            throw new MetadataException("invalid compressor " + compressor);
        }

        boolean vlen = vlenFilter(zarray.path("filters"));
        if (type.kind == ZarrDType.Kind.VLEN_STRING && !vlen) {
            throw new MetadataException(
                    "object data type '|O' without the vlen-utf8 filter is not supported"
                            + " (only UTF-8 strings are read)");
        }
        if (vlen && type.kind != ZarrDType.Kind.VLEN_STRING) {
            throw new MetadataException("vlen-utf8 filter on non-object data type " + type);
        }

        List<int[]> transposes = new ArrayList<>();
        String order = zarray.path("order").asText("C");
        if (order.equals("F")) {
            if (shape.length > 1) {
                transposes.add(Transpose.reversed(shape.length));
            }
        } else if (!order.equals("C")) {
            throw new MetadataException("unsupported order '" + order + "' (expected C or F)");
        }

        String separator = zarray.path("dimension_separator").asText(".");
        if (!separator.equals(".") && !separator.equals("/")) {
            throw new MetadataException("unsupported dimension_separator '" + separator + "'");
        }
        Object fill = FillValue.parse(zarray.get("fill_value"), type);
        // v2 dtypes carry their byte order; the pipeline default only matters for 1-byte types
        CodecPipeline pipeline =
                new CodecPipeline(transposes, vlen, ByteOrder.LITTLE_ENDIAN, compressors, null);
        return new ArrayMetadata(
                shape, chunks, type, fill, ChunkKeyEncoding.v2(separator), pipeline);
    }

    /** True for {@code [vlen-utf8]}, false for no filters; every other filter is refused. */
    private static boolean vlenFilter(JsonNode filters) throws MetadataException {
        if (filters.isNull() || filters.isMissingNode()) {
            return false;
        }
        if (!filters.isArray()) {
            throw new MetadataException("invalid filters " + filters);
        }
        if (filters.isEmpty()) {
            return false;
        }
        for (JsonNode f : filters) {
            String id = f.path("id").asText("");
            if (!id.equals("vlen-utf8")) {
                throw new MetadataException(
                        "unsupported filter '" + id + "' (only vlen-utf8 is supported)");
            }
        }
        if (filters.size() > 1) {
            throw new MetadataException(
                    "unsupported filter chain " + filters + " (vlen-utf8 must be the only filter)");
        }
        return true;
    }
}
