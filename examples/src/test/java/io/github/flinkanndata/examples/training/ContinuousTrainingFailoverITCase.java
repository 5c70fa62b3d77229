package io.github.flinkanndata.examples.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model survives a task failure: the trainer fails once after 1500 cells (once a checkpoint
 * holding trained cells has completed), the job restarts from that checkpoint and completes.
 *
 * <p>What would make it fail: a model that is not restored (the final snapshot would show no
 * restore, and fewer trained cells: the source resumes after the checkpoint while the model starts
 * over), a source or model that replays cells already in the checkpoint (more trained cells), a
 * failure that never happens (no restore), or report lines lost or repeated around the failure.
 */
@Timeout(180)
class ContinuousTrainingFailoverITCase {
    @TempDir Path snapshots;

    @Test
    void theModelStateSurvivesAnInjectedFailure() throws Exception {
        TrainRuns.Result r = TrainRuns.train("--paths", TrainRuns.PBMC, "--parallelism", "2",
                "--inject-failure-after", "1500", "--report-every", "100", "--snapshot-dir", snapshots.toString());
        assertThat(r.code()).as(r.err()).isZero();

        // every report line exactly once, in order: 100, 200, ..., 3500
        List<Long> windows = r.reports("cells=").stream().map(m -> Long.parseLong(m.get("cells"))).collect(Collectors.toList());
        assertThat(windows).containsExactlyElementsOf(LongStream.rangeClosed(1, 35).map(i -> i * 100).boxed().collect(Collectors.toList()));
        Map<Integer, Map<String, String>> epochs = r.epochs();
        assertThat(r.reports("epoch=")).hasSize(5);
        assertThat(epochs.keySet()).containsExactlyInAnyOrder(1, 2, 3, 4, 5);

        JsonNode last = ModelSnapshots.read(ModelSnapshots.latest(snapshots).orElseThrow()).json();
        assertThat(last.get("final").asBoolean()).isTrue();
        assertThat(last.get("restores").asInt()).as("restored from a checkpoint once").isEqualTo(1);
        assertThat(last.get("restored_at_cells").asLong()).as("the restored model had trained").isBetween(1L, 3499L);
        assertThat(last.get("cells_seen").asLong()).isEqualTo(3500);
        assertThat(last.get("epochs_completed").asInt()).isEqualTo(5);
        // every training cell of every epoch updated the model exactly once: none lost, none twice
        Holdout holdout = new Holdout(0.2);
        long trainable = LongStream.range(0, 700).filter(i -> !holdout.contains(i)).count();
        assertThat(last.get("cells_trained").asLong()).isEqualTo(5 * trainable);

        // and the restored model went on learning
        double majority = TrainRuns.majorityRate(TrainRuns.pbmcLabels());
        assertThat(Double.parseDouble(epochs.get(5).get("prequential_accuracy"))).isGreaterThanOrEqualTo(0.9);
        assertThat(Double.parseDouble(epochs.get(5).get("holdout_accuracy"))).isGreaterThanOrEqualTo(0.7)
                .isGreaterThan(majority + 0.3);
    }
}
