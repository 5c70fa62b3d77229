package io.github.flinkanndata.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.collection.AnnDataCollection;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code summary PATH... [options]}: one JSON object describing a collection: {@code shape},
 * {@code original_shapes}, {@code effective_join}, {@code var_joint} (null without a join),
 * {@code encoders} (per key, label → code) and {@code merged_categories} (per obs key).
 */
@Command(name = "summary",
        description = "Describe a collection as one JSON object (shape, join, encoders, categories).")
final class SummaryCommand implements Callable<Integer> {

    @Mixin CollectionOptionsMixin collection;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (AnnDataCollection c = collection.open(spec.commandLine().getErr())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shape", JsonSamples.shape(c.shape()));
            m.put("original_shapes", JsonSamples.shapes(c.originalShapes()));
            m.put("effective_join", c.effectiveJoin().pythonName());
            m.put("var_joint", c.varJoint());
            m.put("encoders", JsonSamples.encoders(c.encoders()));
            Map<String, Object> categories = new LinkedHashMap<>();
            List<String> obsKeys = c.plan().options().obsKeys();
            for (String key : obsKeys == null ? List.<String>of() : obsKeys) {
                categories.put(key, JsonSamples.labels(c.mergedCategories(key)));
            }
            m.put("merged_categories", categories);
            out.println(new ObjectMapper().writeValueAsString(m));
        }
        out.flush();
        return 0;
    }
}
