package io.github.flinkanndata.tools.bench;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.assigner.BlockShuffledSplits;
import io.github.flinkanndata.source.assigner.EpochSplits;
import io.github.flinkanndata.source.assigner.SequentialSplits;
import io.github.flinkanndata.source.split.RowSpace;
import io.github.flinkanndata.source.split.SplitOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How well block shuffling mixes labels: the mean Shannon entropy (bits) of the label
 * distribution in consecutive batches of 256 samples, in the order one reader emits an epoch,
 * against a fully random order (blocks of one row in one window) and the sequential order.
 * Computed from the sampling policy itself, without reading matrices.
 *
 * <p>usage: {@code ShuffleQualityReport} (synthetic worst case: 10 stores x 20,000 cells, 50
 * cell types, each store holding 20 of them, rows sorted by type) or {@code ShuffleQualityReport
 * KEY PATH...} (the labels of obs column KEY of a real collection).
 */
public final class ShuffleQualityReport {
    private static final int BATCH = 256;

    public static void main(String[] args) throws Exception {
        int[] labels;
        long[] kept;
        String what;
        if (args.length >= 2) {
            try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(
                    List.of(args).subList(1, args.length)).join((String) null).build())) {
                List<Object> merged = c.mergedLabels(args[0]);
                Map<Object, Integer> ids = new HashMap<>();
                labels = new int[merged.size()];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = ids.computeIfAbsent(String.valueOf(merged.get(i)), k -> ids.size());
                }
                kept = c.nObsList();
                what = "obs '" + args[0] + "' of " + (args.length - 1) + " stores, " + labels.length + " cells, "
                        + ids.size() + " labels";
            }
        } else {
            kept = new long[10];
            labels = new int[200_000];
            for (int s = 0; s < 10; s++) {
                kept[s] = 20_000;
                for (int i = 0; i < 20_000; i++) {
                    // store s holds types s*3 .. s*3+19 (overlapping subsets), sorted by type
                    labels[s * 20_000 + i] = (s * 3 + i / 1_000) % 50;
                }
            }
            what = "synthetic: 10 stores x 20,000 cells, 50 types (20 per store), sorted by type";
        }
        RowSpace space = new RowSpace(kept);
        System.out.println("Label entropy per batch of " + BATCH + " (" + what + ")");
        System.out.println();
        System.out.println("| order | block size | blocks per window | mean entropy (bits) | of fully random |");
        System.out.println("|---|---|---|---|---|");
        double random = entropy(new BlockShuffledSplits(space, 1, labels.length, 1), labels, space);
        row("sequential", "-", "-", entropy(new SequentialSplits(space, 8192), labels, space), random);
        for (int k : new int[] {16, 64, 256, 1024}) {
            for (int w : new int[] {4, 16, 64}) {
                row("block-shuffled", String.valueOf(k), String.valueOf(w),
                        entropy(new BlockShuffledSplits(space, k, w, 1), labels, space), random);
            }
        }
        row("fully random", "1", "all", random, random);
    }

    private static void row(String order, String k, String w, double h, double random) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f | %.0f%% |%n", order, k, w, h, 100 * h / random);
    }

    /** Mean entropy of consecutive batches over epoch 0 as emitted split after split. */
    private static double entropy(EpochSplits policy, int[] labels, RowSpace space) {
        double sum = 0;
        int batches = 0;
        int[] counts = new int[labels.length == 0 ? 1 : max(labels) + 1];
        int inBatch = 0;
        for (long j = 0; j < policy.splitsPerEpoch(); j++) {
            for (long g : SplitOrder.globalIndices(policy.split(0, j), space)) {
                counts[labels[(int) g]]++;
                if (++inBatch == BATCH) {
                    sum += entropy(counts, BATCH);
                    batches++;
                    java.util.Arrays.fill(counts, 0);
                    inBatch = 0;
                }
            }
        }
        return batches == 0 ? 0 : sum / batches;
    }

    private static double entropy(int[] counts, int n) {
        double h = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / n;
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        return h;
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
