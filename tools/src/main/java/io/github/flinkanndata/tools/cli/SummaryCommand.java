package io.github.flinkanndata.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.StorePlan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiPredicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code summary PATH... [options]}: one JSON object describing a collection: {@code shape},
 * {@code original_shapes}, {@code effective_join}, {@code var_joint} (null without a join),
 * {@code encoders} (per key, label → code), {@code merged_categories} (per obs key) and {@code
 * stores_with_key}: for each requested layer, obsm and obs key, the indices of the stores that have
 * it (a key no store has is also reported on stderr).
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
            m.put("stores_with_key", storesWithKey(c.plan()));
            out.println(new ObjectMapper().writeValueAsString(m));
        }
        out.flush();
        return 0;
    }

    /** {@code {"layers": {key: [store, ...]}, "obsm": {...}, "obs": {...}}}, keys as requested. */
    static Map<String, Object> storesWithKey(CollectionPlan plan) {
        CollectionOptions o = plan.options();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layers", having(o.layersKeys(), plan, StorePlan::hasLayer));
        m.put("obsm", having(o.obsmKeys(), plan, StorePlan::hasObsm));
        m.put("obs", having(o.obsKeys(), plan, StorePlan::hasObs));
        return m;
    }

    private static Map<String, List<Integer>> having(List<String> keys, CollectionPlan plan,
            BiPredicate<StorePlan, Integer> has) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (int k = 0; keys != null && k < keys.size(); k++) {
            List<Integer> stores = new ArrayList<>();
            for (int s = 0; s < plan.storeCount(); s++) {
                if (has.test(plan.store(s), k)) {
                    stores.add(s);
                }
            }
            out.put(keys.get(k), stores);
        }
        return out;
    }
}
