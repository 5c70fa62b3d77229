package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.AnnDataSplit;
import org.apache.flink.annotation.Internal;

/**
 * A sampling policy: the sequence of splits of every epoch, produced lazily and reproducibly. The
 * enumerator keeps only {@code (epoch, cursor)}; {@code split(epoch, ordinal)} must return equal
 * splits for equal arguments in any process, so a restored enumerator continues exactly where the
 * checkpoint left off.
 */
@Internal
public interface EpochSplits {

    /** Number of stores the policy samples (a prefix of the plan's stores). */
    int stores();

    /** Number of splits in each epoch (the same for every epoch). */
    long splitsPerEpoch();

    /** The split at {@code ordinal} of {@code epoch}; {@code 0 <= ordinal < splitsPerEpoch()}. */
    AnnDataSplit split(int epoch, long ordinal);
}
