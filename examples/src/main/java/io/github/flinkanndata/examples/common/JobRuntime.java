package io.github.flinkanndata.examples.common;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.io.IOException;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where an example job runs and how it reads its stores before the job starts. {@link #local()}
 * uses Flink's public API only: the context environment under {@code flink run}, else a local
 * one, and stores given as local paths or {@code file:} URIs. The {@code anndata-cli} tool (module
 * {@code tools}) supplies its own, also registered as a service for {@link #discover()}: an
 * embedded cluster that leaves nothing in the temp folder, and stores on any scheme Flink has a
 * file system for.
 */
public interface JobRuntime extends AutoCloseable {
    /**
     * The context environment when the program was submitted to a cluster ({@code flink run}),
     * with the given parallelism; else a local one, as {@link #localEnvironment}.
     */
    StreamExecutionEnvironment environment(int parallelism, Configuration conf) throws IOException;

    /**
     * A local environment, like {@code StreamExecutionEnvironment.createLocalEnvironment}. When
     * {@code conf} enables checkpoints and chooses no restart strategy, a failing job is restarted
     * a few times, then fails (Flink's default would restart it forever).
     */
    StreamExecutionEnvironment localEnvironment(int parallelism, Configuration conf) throws IOException;

    /** Checks the paths, then opens (plans) the collection as the source's enumerator would. */
    AnnDataCollection open(CollectionOptions options) throws AnnDataFormatException;

    /** The var index (gene names) of one store. */
    List<String> varIndex(String path) throws AnnDataFormatException, IOException;

    /** Releases what the runtime started; returns when the jobs it ran are shut down. */
    @Override
    void close() throws IOException;

    /** The runtime of the public API: see the class comment. */
    static JobRuntime local() {
        return new LocalJobRuntime();
    }

    /**
     * A new instance of the first runtime registered as a {@link ServiceLoader} service (the
     * tool's, when it is on the class path, as in {@code anndata-cli.jar}), else {@link #local()}.
     */
    static JobRuntime discover() {
        return ServiceLoader.load(JobRuntime.class).findFirst().orElseGet(JobRuntime::local);
    }
}
