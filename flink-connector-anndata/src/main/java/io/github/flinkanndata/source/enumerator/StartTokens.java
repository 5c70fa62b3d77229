package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.source.record.BatchToken;
import io.github.flinkanndata.source.config.SourceSettings;
import org.apache.flink.annotation.Internal;

/**
 * Reads a {@link BatchToken}'s key, {@code <collection fingerprint>-<order settings>-b<batch
 * size>}, checks it against the planned collection and the settings, and turns the token into
 * the sample position its next batch starts at.
 */
@Internal
public final class StartTokens {
    private StartTokens() {}

    /** The parts of a key: fingerprint, order settings, batch size. */
    static String[] parts(BatchToken token) {
        String[] parts = token.key().split("-", -1);
        if (parts.length != 3 || !parts[2].startsWith("b")) {
            throw new IllegalArgumentException("token " + token + " has no <fingerprint>-<settings>-b<batch size> key");
        }
        return parts;
    }

    /** The batch size a token was made with. */
    public static int batchSize(BatchToken token) {
        String[] parts = parts(token);
        try {
            return Integer.parseInt(parts[2].substring(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("token " + token + " has no batch size in its key", e);
        }
    }

    /**
     * Checks the token's settings part against {@code settings} and its batch size against the
     * output format's; the message names the difference.
     */
    public static void checkSettings(BatchToken token, SourceSettings settings, int formatBatchSize) {
        String[] parts = parts(token);
        if (formatBatchSize == 0) {
            throw new IllegalArgumentException("a start token needs numbered batches (CellOutputFormat.numberedBatches)");
        }
        if (batchSize(token) != formatBatchSize) {
            throw new IllegalArgumentException("token " + token + " was made with batch size " + batchSize(token)
                    + ", this source has " + formatBatchSize);
        }
        if (!parts[1].equals(settings.orderKey())) {
            throw new IllegalArgumentException("token " + token + " was made with other sampling settings (sampling,"
                    + " block-size, window-blocks, rows-per-split, weights or seed differ: " + parts[1] + " vs "
                    + settings.orderKey() + " here)");
        }
    }

    /** The position in the token's epoch of the first sample of its next batch, after checking the collection. */
    static long position(BatchToken token, CollectionPlan plan, SourceSettings settings) {
        String[] parts = parts(token);
        if (!parts[0].equals(plan.fingerprint())) {
            throw new IllegalArgumentException("token " + token + " was made for another collection (fingerprint "
                    + parts[0] + "; this collection's is " + plan.fingerprint() + ": its stores' rows, genes or"
                    + " labels differ)");
        }
        if (!parts[1].equals(settings.orderKey())) {
            throw new IllegalArgumentException("token " + token + " was made with other sampling settings");
        }
        return Math.multiplyExact(token.next(), (long) batchSize(token));
    }
}
