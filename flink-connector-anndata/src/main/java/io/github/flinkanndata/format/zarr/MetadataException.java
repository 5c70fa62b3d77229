package io.github.flinkanndata.format.zarr;

/**
 * Metadata that cannot be understood (bad JSON shape, unknown codec, data type or chunk grid).
 * Parsers know neither store nor node, so they throw this; {@link MetadataIndex} adds both.
 */
final class MetadataException extends Exception {
    private static final long serialVersionUID = 1L;

    MetadataException(String message) {
        super(message);
    }
}
