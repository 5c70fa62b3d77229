package io.github.flinkanndata.examples.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Whether the soak's series are flat. The samples are cut into thirds; the first third is warm-up
 * (JIT, caches filling, the first checkpoints) and ignored. A series that must not grow is flat when
 * the median of the last third is at most the median of the middle third plus a tolerance, the
 * larger of a relative and an absolute one per series (below); cells/s must not fall below half
 * its middle-third median. Medians make one sample taken in the middle of a restart (threads and
 * descriptors of a TaskManager coming up, a checkpoint missing) harmless, while a leak of any
 * steady rate moves the whole last third. The least-squares slope after warm-up is reported too,
 * per hour, for the record (it does not decide).
 *
 * <p>Tolerances: heap after GC 15 % or 16 MiB; RSS 10 % or 64 MiB (the heap is fixed and
 * pre-touched, so this is native memory and code); open file descriptors 10 % or 16; threads 10 %
 * or 16; regular files in the temp folder 3 (absolute), their bytes 10 % or 1 MiB; checkpoint size
 * 10 % or 64 KiB. Folders in the temp folder are recorded but not judged: a TaskManager killed in a
 * MiniCluster keeps its working directory ({@code minicluster_<id>/tm_<n>}, five empty folders) until
 * the cluster closes, as Flink keeps a failed process's working directory for local recovery.
 */
final class SoakVerdict {
    /** One series' rule. */
    private record Rule(String name, ToDoubleFunction<SoakRun.Sample> value, double relative, double absolute,
            boolean growth) {
        boolean bytes() {
            return name.contains("bytes");
        }
    }

    private static final double MIB = 1 << 20;
    static final List<Rule> RULES = List.of(
            new Rule("heap after GC (bytes)", SoakRun.Sample::heapAfterGc, 0.15, 16 * MIB, true),
            new Rule("RSS (bytes)", SoakRun.Sample::rss, 0.10, 64 * MIB, true),
            new Rule("open file descriptors", SoakRun.Sample::fds, 0.10, 16, true),
            new Rule("threads", SoakRun.Sample::threads, 0.10, 16, true),
            new Rule("files in the temp folder", SoakRun.Sample::tempFiles, 0, 3, true),
            new Rule("temp folder (bytes)", SoakRun.Sample::tempBytes, 0.10, 1 * MIB, true),
            new Rule("checkpoint size (bytes)", SoakRun.Sample::checkpointBytes, 0.10, 64 << 10, true),
            new Rule("cells/s", SoakRun.Sample::cellsPerSecond, 0.5, 0, false));

    /** The fewest samples a verdict is given on (two per third). */
    static final int MIN_SAMPLES = 6;

    private final boolean flat;
    private final String report;

    private SoakVerdict(boolean flat, String report) {
        this.flat = flat;
        this.report = report;
    }

    boolean flat() {
        return flat;
    }

    /** One line per series: medians of the middle and last thirds, the limit, the slope, the verdict. */
    String report() {
        return report;
    }

    static SoakVerdict judge(List<SoakRun.Sample> samples) {
        int n = samples.size();
        if (n < MIN_SAMPLES) {
            return new SoakVerdict(false, "not flat: " + n + " samples, fewer than " + MIN_SAMPLES + "\n");
        }
        int third = n / 3;
        List<SoakRun.Sample> middle = samples.subList(third, 2 * third);
        List<SoakRun.Sample> last = samples.subList(2 * third, n);
        List<SoakRun.Sample> afterWarmUp = samples.subList(third, n);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "warm-up: samples 1-%d; middle third: %d-%d; last third: %d-%d%n", third, third + 1, 2 * third,
                2 * third + 1, n));
        boolean allFlat = true;
        for (Rule r : RULES) {
            double m = median(middle, r.value());
            double l = median(last, r.value());
            boolean ok;
            double limit;
            if (r.growth()) {
                limit = m + Math.max(r.relative() * m, r.absolute());
                ok = l <= limit;
            } else {
                limit = r.relative() * m;
                ok = l >= limit;
            }
            allFlat &= ok;
            out.append(String.format(Locale.ROOT, "  %-26s middle %s, last %s, %s %s, slope %s/h: %s%n", r.name(),
                    figure(m, r.bytes()), figure(l, r.bytes()), r.growth() ? "at most" : "at least",
                    figure(limit, r.bytes()), figure(slopePerHour(afterWarmUp, r.value()), r.bytes()),
                    ok ? "flat" : "NOT FLAT"));
        }
        out.append(allFlat ? "verdict: flat\n" : "verdict: NOT FLAT\n");
        return new SoakVerdict(allFlat, out.toString());
    }

    private static double median(List<SoakRun.Sample> samples, ToDoubleFunction<SoakRun.Sample> f) {
        double[] v = samples.stream().mapToDouble(f).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double slopePerHour(List<SoakRun.Sample> samples, ToDoubleFunction<SoakRun.Sample> f) {
        List<double[]> xy = new ArrayList<>();
        samples.forEach(s -> xy.add(new double[] {s.seconds() / 3600, f.applyAsDouble(s)}));
        double mx = xy.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double my = xy.stream().mapToDouble(p -> p[1]).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (double[] p : xy) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    private static String figure(double v, boolean bytes) {
        double a = Math.abs(v);
        if (!bytes) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 10 * MIB) {
            return String.format(Locale.ROOT, "%.1f MiB", v / MIB);
        }
        if (a >= 10 << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", v / 1024);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
