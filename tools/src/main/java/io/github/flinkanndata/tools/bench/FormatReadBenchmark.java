package io.github.flinkanndata.tools.bench;

import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.MatrixElement;
import io.github.flinkanndata.format.RowBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Baseline speed of the format layer on CSR stores: rows per second for sequential range reads
 * (blocks of 256 rows, every row of X) and for random single-row reads, each on a freshly opened
 * store (cold chunk cache, warm page cache). Every value read is summed so nothing is optimised
 * away. Run through {@code benchmarks/format-read.sh}.
 *
 * <p>usage: {@code FormatReadBenchmark DIR [randomRows] [rounds]} — every {@code *.h5ad} and
 * {@code *.zarr} in DIR is measured.
 */
public final class FormatReadBenchmark {
    private static final int BLOCK = 256;

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        int randomRows = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<Path> stores = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".h5ad") || p.toString().endsWith(".zarr"))
                    .sorted()
                    .forEach(stores::add);
        }
        System.out.println("| store | rows x genes | nnz/row | sequential rows/s | random rows/s | seq/random |");
        System.out.println("|---|---|---|---|---|---|");
        for (Path p : stores) {
            double seq = 0;
            double rnd = 0;
            long rows = 0;
            long cols = 0;
            long nnz = 0;
            for (int round = 0; round < rounds; round++) { // best of N: the first round warms the JIT
                try (AnnDataStore store = AnnDataStore.open(p)) {
                    MatrixElement x = store.x();
                    rows = x.rows();
                    cols = x.cols();
                    nnz = x.nnz();
                    seq = Math.max(seq, sequential(x));
                }
                try (AnnDataStore store = AnnDataStore.open(p)) {
                    rnd = Math.max(rnd, random(store.x(), randomRows, 11 + round));
                }
            }
            System.out.printf(Locale.ROOT, "| %s | %d x %d | %.0f | %.0f | %.0f | %.1f |%n",
                    p.getFileName(), rows, cols, nnz / (double) rows, seq, rnd, seq / rnd);
        }
    }

    private static double sequential(MatrixElement x) throws Exception {
        long t = System.nanoTime();
        double sink = 0;
        for (long from = 0; from < x.rows(); from += BLOCK) {
            sink += touch(x.readRows(from, Math.min(x.rows(), from + BLOCK)));
        }
        double secs = (System.nanoTime() - t) / 1e9;
        blackhole(sink);
        return x.rows() / secs;
    }

    private static double random(MatrixElement x, int n, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        long t = System.nanoTime();
        double sink = 0;
        for (int i = 0; i < n; i++) {
            long r = rng.nextLong(x.rows());
            sink += touch(x.readRows(r, r + 1));
        }
        double secs = (System.nanoTime() - t) / 1e9;
        blackhole(sink);
        return n / secs;
    }

    private static double touch(RowBlock b) {
        double s = 0;
        int n = java.lang.reflect.Array.getLength(b.values());
        for (int i = 0; i < n; i++) {
            s += b.valueAsDouble(i);
        }
        return s;
    }

    private static volatile double sinkHole;

    private static void blackhole(double v) {
        sinkHole = v;
    }
}
