package io.github.flinkanndata.source.enumerator;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Sent by a reader when a split has emitted its last record. A reader asks for its next split when
 * a split starts emitting, so its requests no longer tell the enumerator which splits ended; this
 * event does, so that the splits in flight (and a growing collection's epoch lead, which waits for
 * the oldest of them) stay exact.
 *
 * @param splitId the split that ended
 */
@Internal
public record SplitFinishedEvent(String splitId) implements SourceEvent {

    @Override
    public String toString() {
        return "SplitFinishedEvent{" + splitId + "}";
    }
}
