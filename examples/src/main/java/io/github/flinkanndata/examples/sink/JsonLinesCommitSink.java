package io.github.flinkanndata.examples.sink;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes lines to one local file, exactly once: lines are staged in a file per checkpoint and
 * appended to the output only when the checkpoint that covers them completes (two-phase commit
 * through Flink's committer). Lines of an attempt that failed before its checkpoint completed are
 * never appended.
 *
 * <p>Meant for the command-line tool and examples on one machine: run it with parallelism 1 so
 * that a single committer appends. Commits are idempotent (see {@link Appender}).
 */
public final class JsonLinesCommitSink implements Sink<String>, SupportsCommitter<String> {
    private static final long serialVersionUID = 1L;

    private final String output;
    private final String staging;

    public JsonLinesCommitSink(Path output) {
        this.output = output.toAbsolutePath().toString();
        this.staging = output.toAbsolutePath() + ".staging";
    }

    /** The folder of staged, not yet committed files (removed by the caller after the job). */
    public Path stagingDir() {
        return Paths.get(staging);
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
        Files.createDirectories(Paths.get(staging));
        return new StagingWriter(Paths.get(staging));
    }

    @Override
    public Committer<String> createCommitter(CommitterInitContext context) {
        return new Appender(Paths.get(output));
    }

    @Override
    public SimpleVersionedSerializer<String> getCommittableSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(String path) {
                return path.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String deserialize(int version, byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        };
    }

    private static final class StagingWriter implements CommittingSinkWriter<String, String> {
        private final Path dir;
        private Path current;
        private Writer out;

        StagingWriter(Path dir) {
            this.dir = dir;
        }

        @Override
        public void write(String line, Context context) throws IOException {
            if (out == null) {
                current = dir.resolve(UUID.randomUUID() + ".jsonl");
                out = Files.newBufferedWriter(current, StandardCharsets.UTF_8);
            }
            out.write(line);
            out.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (out != null) {
                out.flush();
            }
        }

        @Override
        public Collection<String> prepareCommit() throws IOException {
            if (out == null) {
                return List.of();
            }
            out.close();
            out = null;
            return List.of(current.toString());
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }

    /**
     * Appends staged files to the output, idempotently: a staged file is first renamed to carry the
     * output's length before the append ({@code name.at-<offset>}); a commit retried after a crash
     * finds that marker, cuts the output back to the offset and appends again. A staged file that
     * is gone and has no marker was committed completely.
     */
    private static final class Appender implements Committer<String> {
        private final Path output;

        Appender(Path output) {
            this.output = output;
        }

        @Override
        public void commit(Collection<CommitRequest<String>> requests) throws IOException {
            for (CommitRequest<String> r : new ArrayList<>(requests)) {
                Path staged = Paths.get(r.getCommittable());
                Path marker = findMarker(staged);
                if (marker == null && !Files.exists(staged)) {
                    r.signalAlreadyCommitted();
                    continue;
                }
                long offset;
                if (marker == null) {
                    offset = Files.exists(output) ? Files.size(output) : 0;
                    marker = staged.resolveSibling(staged.getFileName() + ".at-" + offset);
                    Files.move(staged, marker, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    String name = marker.getFileName().toString();
                    offset = Long.parseLong(name.substring(name.lastIndexOf(".at-") + 4));
                }
                try (FileChannel ch = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    ch.truncate(offset); // no-op unless a previous attempt appended part of it
                }
                Files.write(output, Files.readAllBytes(marker), StandardOpenOption.APPEND);
                Files.delete(marker);
            }
        }

        private static Path findMarker(Path staged) throws IOException {
            String prefix = staged.getFileName() + ".at-";
            try (java.util.stream.Stream<Path> files = Files.list(staged.getParent())) {
                return files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElse(null);
            }
        }

        @Override
        public void close() {}
    }
}
