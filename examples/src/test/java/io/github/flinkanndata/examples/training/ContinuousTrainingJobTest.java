package io.github.flinkanndata.examples.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anndata-cli train} with no arguments: trains on the bundled pbmc68k_reduced for 5 epochs
 * and must clearly beat the majority-class rate (0.343 on this data).
 *
 * <p>Measured over sampling seeds 0-3 (block-shuffled, defaults): prequential accuracy 0.75-0.77
 * in epoch 1 (every cell unseen), 1.000 in epoch 5 (the model has learnt the training cells);
 * accuracy on the held-out cells, never trained on, 0.83-0.85 in epoch 5. The bounds below leave
 * a margin of about 0.1.
 */
@Timeout(180)
class ContinuousTrainingJobTest {

    @TempDir Path snapshots;

    @Test
    void trainsOnTheBundledDataWellAboveTheMajorityClass() throws Exception {
        TrainRuns.Result r = TrainRuns.train("--snapshot-dir", snapshots.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.lines().get(0)).contains("700 cells x 765 features", "10 classes of 'bulk_labels'");

        List<Object> labels = TrainRuns.pbmcLabels();
        double majority = TrainRuns.majorityRate(labels);
        assertThat(majority).isBetween(0.3, 0.4);

        Map<Integer, Map<String, String>> epochs = r.epochs();
        assertThat(epochs.keySet()).containsExactly(1, 2, 3, 4, 5);
        double first = Double.parseDouble(epochs.get(1).get("prequential_accuracy"));
        double last = Double.parseDouble(epochs.get(5).get("prequential_accuracy"));
        double lastHoldout = Double.parseDouble(epochs.get(5).get("holdout_accuracy"));
        assertThat(first).as("epoch 1, all cells unseen").isGreaterThanOrEqualTo(0.6).isGreaterThan(majority + 0.2);
        assertThat(last).as("epoch 5").isGreaterThanOrEqualTo(0.9).isGreaterThan(first + 0.1);
        assertThat(lastHoldout).as("held-out cells, epoch 5").isGreaterThanOrEqualTo(0.7).isGreaterThan(majority + 0.3);
        assertThat(Double.parseDouble(epochs.get(5).get("loss"))).isLessThan(Double.parseDouble(epochs.get(1).get("loss")) / 2);
        assertThat(r.reports("cells=")).extracting(m -> m.get("cells")).containsExactly("1000", "2000", "3000", "3500");

        // the run wrote its snapshots into the folder given and named the last one
        String lastLine = r.lines().get(r.lines().size() - 1);
        assertThat(lastLine).startsWith("model snapshots: " + snapshots);
        checkFinalSnapshot(Paths.get(lastLine.substring("model snapshots: ".length())), labels);
    }

    /** The final snapshot counts every trained cell once and is a usable model. */
    private static void checkFinalSnapshot(Path file, List<Object> labels) throws Exception {
        ModelSnapshots.Loaded loaded = ModelSnapshots.read(file);
        JsonNode json = loaded.json();
        assertThat(json.get("final").asBoolean()).isTrue();
        assertThat(json.get("cells_seen").asLong()).isEqualTo(3500);
        assertThat(json.get("epochs_completed").asInt()).isEqualTo(5);
        assertThat(json.get("restores").asInt()).isZero();
        Holdout holdout = new Holdout(0.2);
        long trainable = java.util.stream.LongStream.range(0, 700).filter(i -> !holdout.contains(i)).count();
        assertThat(json.get("cells_trained").asLong()).isEqualTo(5 * trainable);
        assertThat(json.get("classes")).hasSize(10);
        assertThat(json.get("classes").get(0).asText()).isEqualTo("CD14+ Monocyte");
        assertThat(json.get("genes")).hasSize(765);
        assertThat(json.get("genes").get(0).asText()).isEqualTo("HES4");

        // the snapshot's model on the held-out cells, predicted from the store directly
        int heldOut = 0;
        int correct = 0;
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(TrainRuns.PBMC).obsKeys("bulk_labels").build())) {
            for (long i = 0; i < c.size(); i++) {
                if (holdout.contains(i)) {
                    Sample s = c.get(i);
                    heldOut++;
                    correct += loaded.model().predict(SparseVector.of(s.layer("X"))) == (Integer) s.obs("bulk_labels") ? 1 : 0;
                }
            }
        }
        assertThat(heldOut).isBetween(100, 180);
        assertThat((double) correct / heldOut).isGreaterThan(TrainRuns.majorityRate(labels) + 0.3);
    }

    @Test
    void badOptionsAreOneLineErrors() {
        TrainRuns.Result sampling = TrainRuns.train("--sampling", "random");
        assertThat(sampling.code()).isNotZero();
        assertThat(sampling.err().strip()).startsWith("error: ").contains("--sampling").doesNotContain("\n");
        TrainRuns.Result label = TrainRuns.train("--paths", TrainRuns.PBMC, "--label-key", "no_such_column");
        assertThat(label.code()).isNotZero();
        assertThat(label.err().strip()).startsWith("error: ").contains("no_such_column");
        TrainRuns.Result failure = TrainRuns.train("--inject-failure-after", "10", "--checkpoint-interval-ms", "0");
        assertThat(failure.code()).isNotZero();
        assertThat(failure.err().strip()).contains("needs checkpoints");
    }
}
