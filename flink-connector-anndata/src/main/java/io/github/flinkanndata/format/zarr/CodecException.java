package io.github.flinkanndata.format.zarr;

/**
 * A chunk could not be decoded. Codecs know neither the store nor the array, so they throw this;
 * {@link ZarrArray} turns it into an {@link io.github.flinkanndata.format.tree.AnnDataFormatException}
 * naming the store, the array and the chunk key.
 */
final class CodecException extends Exception {
    private static final long serialVersionUID = 1L;

    CodecException(String message) {
        super(message);
    }

    CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
