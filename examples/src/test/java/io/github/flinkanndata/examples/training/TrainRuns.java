package io.github.flinkanndata.examples.training;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.examples.common.JobRuns;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the training job (the options of {@code anndata-cli train}) in this JVM and reads its output and the bundled dataset (test helper). */
final class TrainRuns {
    /** The bundled dataset, from the examples module (the tests' working directory). */
    static final String PBMC = Paths.get("data/pbmc68k_reduced.h5ad").toAbsolutePath().toString();
    private static final Pattern PAIR = Pattern.compile("(\\w+)=(\\S+)");

    private TrainRuns() {}

    /** Exit code and the two streams of one run. */
    record Result(int code, String out, String err) {
        List<String> lines() {
            return List.of(out.strip().split("\n"));
        }

        /** The {@code key=value} pairs of the lines that start with {@code prefix}, in order. */
        List<Map<String, String>> reports(String prefix) {
            List<Map<String, String>> reports = new ArrayList<>();
            for (String line : lines()) {
                if (line.startsWith(prefix)) {
                    Map<String, String> pairs = new LinkedHashMap<>();
                    Matcher m = PAIR.matcher(line);
                    while (m.find()) {
                        pairs.put(m.group(1), m.group(2));
                    }
                    reports.add(pairs);
                }
            }
            return reports;
        }

        /** The epoch lines, by 1-based epoch. */
        Map<Integer, Map<String, String>> epochs() {
            Map<Integer, Map<String, String>> epochs = new LinkedHashMap<>();
            for (Map<String, String> r : reports("epoch=")) {
                epochs.put(Integer.parseInt(r.get("epoch")), r);
            }
            return epochs;
        }
    }

    static Result train(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = JobRuns.run(new ContinuousTrainingJob(), args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /** Labels of the bundled dataset's {@code bulk_labels}, one per cell, read directly. */
    static List<Object> pbmcLabels() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(PBMC).obsKeys("bulk_labels").build())) {
            return c.mergedLabels("bulk_labels");
        }
    }

    /** The share of the most frequent label: the accuracy of always guessing it. */
    static double majorityRate(List<Object> labels) {
        Map<Object, Integer> counts = new HashMap<>();
        int labelled = 0;
        for (Object l : labels) {
            if (!Missing.isMissing(l)) {
                counts.merge(l, 1, Integer::sum);
                labelled++;
            }
        }
        return (double) counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow() / labelled;
    }
}
