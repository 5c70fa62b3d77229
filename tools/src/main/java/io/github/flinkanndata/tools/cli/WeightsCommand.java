package io.github.flinkanndata.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.collection.AnnDataCollection;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code weights PATH... --keys K1[,K2] [--scaler S] [--by-class]}: lamindb's {@code
 * get_label_weights} as JSON: one weight per sample (a JSON array aligned with the global
 * index), or with {@code --by-class} an object class → weight in first-seen order.
 */
@Command(name = "weights", description = "Print per-sample label weights (1/count, or S/(count+S)) as JSON.")
final class WeightsCommand implements Callable<Integer> {

    @Mixin CollectionOptionsMixin collection;

    @Option(names = "--keys", split = ",", required = true, paramLabel = "KEY",
            description = "obs keys whose joined labels (\"__\") form the classes; need not be among --obs-keys.")
    List<String> keys;

    @Option(names = "--scaler", paramLabel = "S", description = "Weights become S / (count + S).")
    String scaler;

    @Option(names = "--by-class", description = "Print class → weight instead of one weight per sample.")
    boolean byClass;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Double s = null;
        if (scaler != null) {
            try {
                s = Double.parseDouble(scaler);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--scaler must be a number, was '" + scaler + "'");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper json = new ObjectMapper();
        try (AnnDataCollection c = collection.open(spec.commandLine().getErr())) {
            Object result = byClass ? c.labelWeightsByClass(keys, s) : c.labelWeights(keys, s);
            out.println(json.writeValueAsString(result));
        }
        out.flush();
        return 0;
    }
}
