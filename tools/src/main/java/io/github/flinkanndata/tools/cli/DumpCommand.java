package io.github.flinkanndata.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.Sample;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dump PATH... [options] [--start S] [--end E]}: the samples {@code [S, E)} of a
 * collection as JSON lines, one {@code MappedCollection} record per line.
 */
@Command(name = "dump",
        description = "Print the samples of a collection as JSON lines (lamindb MappedCollection records).")
final class DumpCommand implements Callable<Integer> {
    private static final int BATCH = 1024;

    @Mixin CollectionOptionsMixin collection;

    @Option(names = "--start", paramLabel = "S", description = "First global index (default 0).")
    String start;

    @Option(names = "--end", paramLabel = "E", description = "End global index, exclusive (default: the length).")
    String end;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper json = new ObjectMapper();
        try (AnnDataCollection c = collection.open(spec.commandLine().getErr())) {
            long from = index("--start", start, 0, c.size());
            long to = index("--end", end, c.size(), c.size());
            if (to < from) {
                throw new IllegalArgumentException("--end (" + to + ") is before --start (" + from + ")");
            }
            // range reads in batches: one read per element per batch, bounded memory
            for (long g = from; g < to; g += BATCH) {
                for (Sample s : c.getRange(g, Math.min(to, g + BATCH))) {
                    out.println(json.writeValueAsString(JsonSamples.sample(s)));
                }
            }
        }
        out.flush();
        return 0;
    }

    private static long index(String name, String value, long dflt, long size) {
        if (value == null) {
            return dflt;
        }
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'");
        }
        if (v < 0 || v > size) {
            throw new IllegalArgumentException(name + " must be in [0, " + size + "], was " + v);
        }
        return v;
    }
}
