package io.github.flinkanndata.source.enumerator;

import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.planned;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.settings;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.Test;

/** The enumerator's containment of Flink 2.3's coordinator-gateway issues under regional failover. */
class EnumeratorFailoverContainmentTest {
    private static final SourceSettings SEQUENTIAL = settings(SamplingMode.SEQUENTIAL, 2);

    @Test
    void declinesACheckpointWhileAFailedReaderIsBeingRestarted() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = planned(context, SEQUENTIAL, AnnDataEnumState.initial());
        e.addReader(0);
        e.addReader(1);
        assertThat(e.snapshotState(1)).isNotNull();

        context.unregisterReader(1); // its task failed; the runtime no longer lists it
        assertThatThrownBy(() -> e.snapshotState(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reader of subtask 1 failed");

        context.registerReaders(1); // the new attempt registered
        e.addReader(1);
        assertThat(e.snapshotState(3)).isNotNull();
    }

    @Test
    void readersThatNeverRegisteredDoNotBlockCheckpoints() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        AnnDataSplitEnumerator e = planned(context, SEQUENTIAL, AnnDataEnumState.initial());
        assertThat(e.snapshotState(1)).isNotNull();
    }

    @Test
    void anOverdueAnswerThatWasSentFailsTheJobOver() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = planned(context, SEQUENTIAL, AnnDataEnumState.initial());
        e.handleSplitRequest(0, "host-0");
        assertThat(context.assigned(0)).hasSize(1);
        // the reader says it never got it: the event was lost between the JobManager and the task
        assertThatThrownBy(() -> e.handleSourceEvent(0, new AnswerOverdueEvent(false, 5_000)))
                .isInstanceOf(FlinkRuntimeException.class).hasMessageContaining("was lost");
    }

    @Test
    void anOverdueAnswerNotSentYetIsIgnored() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = start(context, SEQUENTIAL, AnnDataEnumState.initial()); // still planning
        e.handleSplitRequest(0, "host-0");
        e.handleSourceEvent(0, new AnswerOverdueEvent(false, 5_000));
        e.handleSourceEvent(0, new AnswerOverdueEvent(true, 5_000));
        context.triggerAllActions(); // planned: the held request is answered now
        assertThat(context.assigned(0)).hasSize(1);
    }
}
