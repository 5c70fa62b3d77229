package io.github.flinkanndata.source.record;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A trainer's position in a stream of numbered mini-batches: {@code (key, epoch, next batch)}.
 * The key names the collection (a fingerprint of its stores' rows, genes and labels) and every
 * setting the batch order depends on (sampling, block and window sizes, seed, batch size, obs
 * filter, weights); the world size is not part of it, so a job may resume with another number of
 * ranks at a step boundary.
 *
 * <p>A source started from a token ({@code AnnDataSourceBuilder.startToken(BatchToken)}) emits the
 * rest of the token's epoch, from batch {@code next}, exactly as an uninterrupted run would, then
 * the following epochs; a token whose key does not match the source's collection or settings is
 * refused with an error naming the difference.
 *
 * <p>Text form: {@code fab1:<key>:<epoch>:<next>} ({@link #toString()}, {@link #parse}).
 *
 * @param key the collection fingerprint and order settings
 * @param next the first batch not yet consumed
 */
@PublicEvolving
public record BatchToken(String key, int epoch, long next) implements Serializable {
    private static final String PREFIX = "fab1";

    public BatchToken {
        if (key.isEmpty() || key.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a token key is non-empty and has no ':', was '" + key + "'");
        }
        if (epoch < 0 || next < 0) {
            throw new IllegalArgumentException("epoch and next batch must be >= 0, were " + epoch + ", " + next);
        }
    }

    /** Parses the text form; the error names what is wrong. */
    public static BatchToken parse(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 4 || !PREFIX.equals(parts[0])) {
            throw new IllegalArgumentException("not a batch token (" + PREFIX + ":<key>:<epoch>:<next>): '" + text + "'");
        }
        try {
            return new BatchToken(parts[1], Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a batch token, bad number in '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return PREFIX + ":" + key + ":" + epoch + ":" + next;
    }
}
