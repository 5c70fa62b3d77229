package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.source.split.RowSpace;
import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * A sampling policy as the source's settings chose it: serializable (it travels in the job
 * graph), it makes the splits of every epoch ({@link EpochSplits}) for the planned collection and
 * owns whatever that takes. {@link Growable} policies need the plan alone and can therefore follow
 * a collection that grows; the growing enumerator takes only those.
 */
@Internal
public interface SamplingPolicy extends Serializable {

    /** The splits of every epoch over the whole planned collection; runs off the coordinator thread. */
    EpochSplits prepare(PlannedCollection collection) throws AnnDataFormatException;

    /** A policy whose splits follow from the stores' row counts alone. */
    interface Growable extends SamplingPolicy {
        /** The splits of every epoch over {@code space}. */
        EpochSplits over(RowSpace space);

        @Override
        default EpochSplits prepare(PlannedCollection collection) {
            return over(RowSpace.of(collection.plan(), collection.plan().storeCount()));
        }
    }

    /** The plan, and its stores opened on demand (a policy that reads labels opens them). */
    interface PlannedCollection {
        CollectionPlan plan();

        /** {@code read} applied to the collection of the plan, open for the call. */
        <R> R read(Read<R> read) throws AnnDataFormatException;
    }

    /** What a policy reads from the open collection. */
    @FunctionalInterface
    interface Read<R> {
        R apply(AnnDataCollection collection) throws AnnDataFormatException;
    }

    /** lamindb order, store after store, in splits of {@code rowsPerSplit} rows. */
    static Growable sequential(int rowsPerSplit) {
        return new Sequential(rowsPerSplit);
    }

    /** Blocks in a seeded order per epoch, rows permuted within windows ({@link BlockShuffledSplits}). */
    static Growable blockShuffled(int blockSize, int windowBlocks, long seed) {
        return new BlockShuffled(blockSize, windowBlocks, seed);
    }

    /**
     * Draws by lamindb's label weights of {@code weightKeys} ({@link WeightedSplits}): it reads the
     * stores' labels, so it cannot follow a growing collection (the weights would change as stores
     * join) and is not {@link Growable}.
     */
    static SamplingPolicy weighted(int blockSize, int windowBlocks, long seed, List<String> weightKeys,
            @Nullable Double weightScaler) {
        return new Weighted(blockSize, windowBlocks, seed, List.copyOf(weightKeys), weightScaler);
    }

    /** See {@link #sequential}. */
    record Sequential(int rowsPerSplit) implements Growable {
        @Override
        public EpochSplits over(RowSpace space) {
            return new SequentialSplits(space, rowsPerSplit);
        }
    }

    /** See {@link #blockShuffled}. */
    record BlockShuffled(int blockSize, int windowBlocks, long seed) implements Growable {
        @Override
        public EpochSplits over(RowSpace space) {
            return new BlockShuffledSplits(space, blockSize, windowBlocks, seed);
        }
    }

    /** See {@link #weighted}; the label weights are derived from the stores, never checkpointed. */
    record Weighted(int blockSize, int windowBlocks, long seed, List<String> weightKeys, @Nullable Double weightScaler)
            implements SamplingPolicy {
        @Override
        public EpochSplits prepare(PlannedCollection collection) throws AnnDataFormatException {
            double[] weights = collection.read(c -> c.labelWeights(weightKeys, weightScaler));
            RowSpace space = RowSpace.of(collection.plan(), collection.plan().storeCount());
            return new WeightedSplits(space, blockSize, windowBlocks, seed, weights);
        }
    }
}
