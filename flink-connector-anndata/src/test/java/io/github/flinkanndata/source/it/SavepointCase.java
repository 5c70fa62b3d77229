package io.github.flinkanndata.source.it;

import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecordTypeInfo;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * One committed savepoint: the job it was taken from and what that job had committed when it was
 * stopped, kept beside the savepoint's {@code _metadata} as {@code committed.properties}. Every
 * source setting the job used is in the file, so a restore builds the same source even after the
 * test's defaults change; the operator uids ({@code cells}, {@code paced}, {@code key}, {@code
 * collector}, {@code discard}) are part of the contract and never change.
 *
 * <p>For weighted sampling the file also keeps the draws of a failure-free run of the savepointed
 * build ({@code expected-draws}): draws repeat samples, so exactly-once means "the same multiset".
 */
final class SavepointCase {
    static final Path ROOT = Path.of("src", "test", "resources", "savepoints");
    static final String METADATA = "_metadata";
    static final String PROPERTIES = "committed.properties";
    private static final int FORMAT = 1;

    /** The cases a new version's savepoints are taken for (folder names). */
    static final List<SavepointCase> CASES = List.of(
            new SavepointCase("sequential", SamplingMode.SEQUENTIAL),
            new SavepointCase("block-shuffled", SamplingMode.BLOCK_SHUFFLED),
            new SavepointCase("weighted", SamplingMode.WEIGHTED));

    final String name;
    final Properties settings;
    final List<Long> committed;
    final List<String> publishedChunks;
    @Nullable final List<Long> expectedDraws;

    private SavepointCase(String name, SamplingMode sampling) {
        this.name = name;
        settings = new Properties();
        settings.setProperty("format", String.valueOf(FORMAT));
        settings.setProperty("sampling", sampling.name());
        settings.setProperty("paths", String.join(",", SavepointStores.PATHS));
        settings.setProperty("samples-per-epoch", String.valueOf(SavepointStores.SAMPLES));
        settings.setProperty("obs-keys", "label");
        settings.setProperty("join", "outer");
        settings.setProperty("epochs", "2");
        settings.setProperty("seed", "11");
        settings.setProperty("rows-per-split", "8");
        settings.setProperty("block-size", "4");
        settings.setProperty("window-blocks", "2");
        settings.setProperty("parallelism", "2");
        if (sampling == SamplingMode.WEIGHTED) {
            settings.setProperty("weight-keys", "label");
        }
        committed = List.of();
        publishedChunks = List.of();
        expectedDraws = null;
    }

    private SavepointCase(String name, Properties settings, List<Long> committed, List<String> publishedChunks,
            @Nullable List<Long> expectedDraws) {
        this.name = name;
        this.settings = settings;
        this.committed = committed;
        this.publishedChunks = publishedChunks;
        this.expectedDraws = expectedDraws;
    }

    SavepointCase withOutcome(List<Long> committedKeys, Collection<String> chunks, @Nullable List<Long> draws) {
        return new SavepointCase(name, settings, List.copyOf(committedKeys), List.copyOf(chunks),
                draws == null ? null : List.copyOf(draws));
    }

    SamplingMode sampling() {
        return SamplingMode.valueOf(settings.getProperty("sampling"));
    }

    int epochs() {
        return Integer.parseInt(settings.getProperty("epochs"));
    }

    long samplesPerEpoch() {
        return Long.parseLong(settings.getProperty("samples-per-epoch"));
    }

    AnnDataSourceBuilder source() {
        AnnDataSourceBuilder b = AnnDataSource.builder(Arrays.asList(settings.getProperty("paths").split(",")))
                .obsKeys(settings.getProperty("obs-keys")).join(settings.getProperty("join")).sampling(sampling())
                .epochs(epochs()).seed(Long.parseLong(settings.getProperty("seed")))
                .rowsPerSplit(Integer.parseInt(settings.getProperty("rows-per-split")))
                .blockSize(Integer.parseInt(settings.getProperty("block-size")))
                .windowBlocks(Integer.parseInt(settings.getProperty("window-blocks")));
        String weights = settings.getProperty("weight-keys");
        if (weights != null) {
            b.weightKeys(weights);
        }
        return b;
    }

    /** The savepointed job: source, pacing, key, committing collector; restored from {@code savepoint} if given. */
    JobGraph jobGraph(String runName, @Nullable String savepoint) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(Integer.parseInt(settings.getProperty("parallelism")));
        env.enableCheckpointing(100);
        env.fromSource(source().build(), WatermarkStrategy.noWatermarks(), "cells").uid("cells")
                .map(new PacedMap<CellRecord>()).returns(CellRecordTypeInfo.INSTANCE).uid("paced")
                .map(ItStores::key).returns(Types.LONG).uid("key")
                .process(new CommittedCollector(runName)).returns(Types.VOID).uid("collector")
                .sinkTo(new DiscardingSink<>()).uid("discard");
        JobGraph graph = env.getStreamGraph().getJobGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return graph;
    }

    void write(Path dir) throws IOException {
        TreeMap<String, String> lines = new TreeMap<>();
        settings.stringPropertyNames().forEach(k -> lines.put(k, settings.getProperty(k)));
        lines.put("committed", keys(committed));
        lines.put("published-chunks", String.join(",", publishedChunks));
        if (expectedDraws != null) {
            lines.put("expected-draws", keys(expectedDraws));
        }
        StringBuilder out = new StringBuilder("# A committed savepoint's job and its committed output (epoch:index);"
                + " written by SavepointGeneratorITCase, never edited\n");
        lines.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        Files.writeString(dir.resolve(PROPERTIES), out, StandardCharsets.UTF_8);
    }

    static SavepointCase read(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(dir.resolve(PROPERTIES), StandardCharsets.UTF_8)) {
            p.load(in);
        }
        String format = p.getProperty("format");
        if (!String.valueOf(FORMAT).equals(format)) {
            throw new IOException(dir.resolve(PROPERTIES) + ": format " + format + ", this test reads " + FORMAT);
        }
        List<Long> committed = parseKeys(p.remove("committed"));
        String chunks = (String) p.remove("published-chunks");
        Object draws = p.remove("expected-draws");
        return new SavepointCase(dir.getFileName().toString(), p, committed,
                chunks == null || chunks.isEmpty() ? List.of() : List.of(chunks.split(",")),
                draws == null ? null : parseKeys(draws));
    }

    private static String keys(List<Long> keys) {
        return keys.stream().map(k -> ItStores.epochOf(k) + ":" + ItStores.indexOf(k)).collect(Collectors.joining(","));
    }

    private static List<Long> parseKeys(@Nullable Object text) {
        List<Long> out = new ArrayList<>();
        if (text == null || text.toString().isEmpty()) {
            return out;
        }
        for (String pair : text.toString().split(",")) {
            String[] parts = pair.split(":");
            out.add(ItStores.key(Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
