package io.github.flinkanndata.examples.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committer appends each staged file exactly once, also when a commit is retried after a crash. */
class JsonLinesCommitSinkTest {
    @TempDir Path tmp;

    /** A commit request that records whether it was reported as already committed. */
    private static final class Request implements CommitRequest<String> {
        final String path;
        boolean alreadyCommitted;

        Request(Path path) {
            this.path = path.toString();
        }

        @Override
        public String getCommittable() {
            return path;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            throw new AssertionError(t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            throw new AssertionError(t);
        }

        @Override
        public void retryLater() {}

        @Override
        public void updateAndRetryLater(String committable) {}

        @Override
        public void signalAlreadyCommitted() {
            alreadyCommitted = true;
        }
    }

    @Test
    void commitsOnceAndSkipsRepeats() throws Exception {
        Path out = tmp.resolve("out.jsonl");
        JsonLinesCommitSink sink = new JsonLinesCommitSink(out);
        Files.createDirectories(sink.stagingDir());
        Path a = Files.writeString(sink.stagingDir().resolve("a.jsonl"), "1\n2\n");
        Path b = Files.writeString(sink.stagingDir().resolve("b.jsonl"), "3\n");
        try (Committer<String> c = sink.createCommitter(null)) {
            c.commit(List.of(new Request(a), new Request(b)));
            Request again = new Request(a);
            c.commit(List.of(again));
            assertThat(again.alreadyCommitted).isTrue();
        }
        assertThat(Files.readString(out)).isEqualTo("1\n2\n3\n");
    }

    @Test
    void retryAfterACrashMidAppendDoesNotDuplicate() throws Exception {
        Path out = tmp.resolve("out.jsonl");
        Files.writeString(out, "0\n");
        JsonLinesCommitSink sink = new JsonLinesCommitSink(out);
        Files.createDirectories(sink.stagingDir());
        // a previous attempt renamed the staged file to its marker and appended half of it
        Path staged = sink.stagingDir().resolve("c.jsonl");
        Files.writeString(staged.resolveSibling("c.jsonl.at-2"), "1\n2\n");
        Files.write(out, "1\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        try (Committer<String> c = sink.createCommitter(null)) {
            c.commit(List.of(new Request(staged)));
        }
        assertThat(Files.readString(out)).isEqualTo("0\n1\n2\n");
        try (var files = Files.list(sink.stagingDir())) {
            assertThat(files).isEmpty();
        }
    }
}
