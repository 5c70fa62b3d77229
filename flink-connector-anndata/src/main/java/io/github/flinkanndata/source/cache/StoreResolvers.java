package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.collection.StoreResolver;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.MetricGroup;

/** The resolver the settings ask for: range reads in place (default) or whole-store copies. */
@Internal
public final class StoreResolvers {
    /** The metric variable Flink sets to the job's id. */
    private static final String JOB_ID = "<job_id>";

    private StoreResolvers() {}

    /**
     * @param tmpDir the node's temporary directory (copy mode's cache parent)
     * @param metrics the operator's (or coordinator's) metric group; its job id, when it has one,
     *     scopes the versions of remote objects (range mode)
     */
    public static StoreResolver create(CacheSettings settings, String tmpDir, MetricGroup metrics) {
        if (settings.mode() == RemoteMode.COPY) {
            return new CachingStoreResolver(settings, tmpDir, metrics);
        }
        return new RangeStoreResolver(settings, jobKey(metrics), metrics);
    }

    @Nullable
    private static String jobKey(MetricGroup metrics) {
        try {
            return metrics.getAllVariables().get(JOB_ID);
        } catch (RuntimeException e) {
            return null; // a test's metric group may not know its variables
        }
    }
}
