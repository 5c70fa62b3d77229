package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.collection.CollectionGrowth;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.collection.StorePlan;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O half of a growing collection's discovery, run periodically on the enumerator's worker
 * thread: lists the watched directories ({@link StoreDiscovery}), opens each stable new store and
 * extends the plan with it ({@link CollectionGrowth#extend}), and returns the grown plan with its
 * checkpoint bytes. The enumerator installs it on the coordinator thread; nothing here touches
 * enumerator state.
 *
 * <p>A store that cannot join is skipped with one warning and tried again once it changes; a
 * planned store that disappeared is warned about once (it stays in the plan — global indices
 * never move — and reading it fails with an error naming it). Not thread-safe: Flink runs the
 * periodic call one at a time.
 */
@Internal
final class CollectionWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionWatcher.class);

    private final StoreDiscovery discovery;
    private final Set<Path> missingWarned = new HashSet<>();

    CollectionWatcher(List<String> directories) {
        this.discovery = new StoreDiscovery(directories);
    }

    /** The plan grown by the stable new stores, or null when none joined. */
    @Nullable
    Growth discover(CollectionPlan base) throws IOException {
        Set<Path> known = new HashSet<>();
        for (StorePlan s : base.stores()) {
            Path p = StoreDiscovery.normalise(s.path());
            known.add(p);
            if (!Files.exists(p) && missingWarned.add(p)) {
                LOG.warn("store {} of the collection has disappeared; it stays in the plan and reading it will fail", p);
            }
        }
        CollectionPlan plan = base;
        long dropped = 0;
        List<String> added = new ArrayList<>();
        for (Path p : discovery.stableNewStores(known)) {
            try {
                CollectionGrowth.Result r = CollectionGrowth.extend(plan, p.toString());
                plan = r.plan();
                dropped += r.totalDroppedGenes();
                added.add(p.toString());
                LOG.info("store {} joins the collection as store {}: {} samples, {} of its genes outside the fixed"
                        + " gene space dropped", p, plan.storeCount() - 1, plan.store(plan.storeCount() - 1).keptRows(),
                        r.totalDroppedGenes());
            } catch (AnnDataFormatException | RuntimeException e) {
                discovery.reject(p);
                LOG.warn("store {} cannot join the collection (tried again once it changes): {}", p, e.getMessage());
            }
        }
        if (added.isEmpty()) {
            return null;
        }
        return new Growth(base.storeCount(), plan, CollectionPlanCodec.toBytes(plan, false), dropped, List.copyOf(added));
    }

    /** A grown plan, computed from the plan of {@code baseStores} stores. */
    record Growth(int baseStores, CollectionPlan plan, byte[] bytes, long droppedGenes, List<String> added) {}
}
