package io.github.flinkanndata.examples.cli;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionOptionsBuilder;
import io.github.flinkanndata.collection.LabelSpelling;
import io.github.flinkanndata.format.AnnDataFormatException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The collection parameters shared by {@code dump}, {@code summary} and {@code weights}, spelled
 * like lamindb's {@code MappedCollection} arguments.
 *
 * <p><b>Label values</b> ({@code --obs-filter} values, {@code --unknown-label}) are read as
 * {@link LabelSpelling} reads every text label: {@code nan} selects missing labels, a number or
 * {@code true}/{@code false} is typed by its column when the plan is made (so {@code leiden=1}
 * selects the string category "1" of scanpy's clustering, and the integer 1 of an integer
 * column), {@code s:VALUE} is always the string VALUE, and anything else is a string. A value or
 * key that matches nothing in any store is reported on stderr.
 *
 * Values are separated by commas, so a label containing a comma cannot be given here.
 * Everything is parsed when the command runs, so a bad value fails with a one-line error.
 */
final class CollectionOptionsMixin {
    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Stores in collection order: .h5ad files, .zarr directories, .zarr.zip files;"
                    + " local paths, file:// URIs or any scheme Flink has a file system for (s3://, ...).")
    List<String> paths;

    @Option(names = "--layers-keys", split = ",", paramLabel = "KEY",
            description = "Matrices per sample: X, raw.X or layer names (default: X; \"\" for none).")
    List<String> layersKeys;

    @Option(names = "--obs-keys", split = ",", paramLabel = "KEY", description = "obs columns per sample.")
    List<String> obsKeys;

    @Option(names = "--obsm-keys", split = ",", paramLabel = "KEY", description = "obsm entries per sample.")
    List<String> obsmKeys;

    @Option(names = "--obs-filter", paramLabel = "KEY=V1[,V2...]",
            description = "Keep rows whose KEY label is one of the values; repeat for more keys (ANDed).")
    List<String> obsFilter = new ArrayList<>();

    @Option(names = "--join", paramLabel = "inner|outer|none", defaultValue = "inner",
            description = "Variable join (default: ${DEFAULT-VALUE}).")
    String join;

    @Option(names = "--encode-labels", paramLabel = "true|false|K1,K2", defaultValue = "true",
            description = "Encode obs labels to integers: all, none or the listed keys (default: ${DEFAULT-VALUE}).")
    String encodeLabels;

    @Option(names = "--unknown-label", paramLabel = "L|KEY=L",
            description = "Label encoded as -1: one for every key, or KEY=L per key (repeatable).")
    List<String> unknownLabel = new ArrayList<>();

    @Option(names = "--dtype", paramLabel = "TYPE",
            description = "Matrix output type: float32, float64, int8, int16, int32, int64 (default: as stored).")
    String dtype;

    @Option(names = "--cache-categories", arity = "1", paramLabel = "true|false", defaultValue = "true",
            description = "Speed only (default: ${DEFAULT-VALUE}).")
    boolean cacheCategories;

    /** The options, validated by the collection layer (its messages name the parameter). */
    CollectionOptions build() {
        CollectionOptionsBuilder b = CollectionOptions.builder(paths)
                .layersKeys(keys(layersKeys))
                .obsKeys(keys(obsKeys))
                .obsmKeys(keys(obsmKeys))
                .join(join)
                .dtype(dtype)
                .cacheCategories(cacheCategories);
        if (!obsFilter.isEmpty()) {
            Map<String, Object> filter = new LinkedHashMap<>();
            for (String f : obsFilter) {
                int eq = f.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--obs-filter expects KEY=V1[,V2...], was '" + f + "'");
                }
                @SuppressWarnings("unchecked")
                List<Object> values = (List<Object>) filter.computeIfAbsent(f.substring(0, eq), k -> new ArrayList<>());
                for (String v : f.substring(eq + 1).split(",", -1)) {
                    values.add(value(v));
                }
            }
            b.obsFilter(filter);
        }
        if (encodeLabels.equals("true") || encodeLabels.equals("false")) {
            b.encodeLabels(Boolean.parseBoolean(encodeLabels));
        } else {
            b.encodeLabels(keys(List.of(encodeLabels.split(",", -1))));
        }
        unknownLabel(b);
        return b.build();
    }

    /**
     * Opens the collection these options describe ({@link Stores#open}: any path the source
     * reads); what its planning found worth a warning (a key or label that no store has) goes to
     * {@code err}, one line each.
     */
    AnnDataCollection open(PrintWriter err) throws AnnDataFormatException {
        return warn(Stores.open(build()), err);
    }

    /** Prints the planning's warnings of {@code c} to {@code err}; returns {@code c}. */
    static AnnDataCollection warn(AnnDataCollection c, PrintWriter err) {
        for (String w : c.plan().warnings()) {
            err.println("warning: " + w);
        }
        err.flush();
        return c;
    }

    private void unknownLabel(CollectionOptionsBuilder b) {
        if (unknownLabel.isEmpty()) {
            return;
        }
        boolean perKey = unknownLabel.get(0).contains("=") && !unknownLabel.get(0).startsWith("s:");
        if (!perKey) {
            if (unknownLabel.size() > 1) {
                throw new IllegalArgumentException("--unknown-label: give one label, or KEY=LABEL for each key");
            }
            b.unknownLabel(value(unknownLabel.get(0)));
            return;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (String u : unknownLabel) {
            int eq = u.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--unknown-label: mix of KEY=LABEL and a plain label ('" + u + "')");
            }
            map.put(u.substring(0, eq), value(u.substring(eq + 1)));
        }
        b.unknownLabel(map);
    }

    /** null stays null (the default); a lone empty string is the empty list. */
    private static List<String> keys(List<String> keys) {
        if (keys == null) {
            return null;
        }
        return keys.size() == 1 && keys.get(0).isEmpty() ? List.of() : keys;
    }

    /** A label value as every text surface reads it (see the class comment). */
    static Object value(String v) {
        return LabelSpelling.parse(v);
    }
}
