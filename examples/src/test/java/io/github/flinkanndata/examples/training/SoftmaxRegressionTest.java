package io.github.flinkanndata.examples.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The learner: its gradient, its sparse step, that it learns, and that its snapshots restore it exactly. */
class SoftmaxRegressionTest {

    /** A random sparse cell: about half of the features non-zero. */
    private static SparseVector randomCell(Random r, int features) {
        double[] dense = new double[features];
        for (int j = 0; j < features; j++) {
            dense[j] = r.nextBoolean() ? r.nextGaussian() * 2 : 0;
        }
        return SparseVector.ofDense(dense);
    }

    /** A model trained a little on random data, so that weights, biases and scales are not trivial. */
    private static SoftmaxRegression warmedUp(LearnerConfig config, long seed) {
        SoftmaxRegression m = new SoftmaxRegression(config);
        Random r = new Random(seed);
        for (int i = 0; i < 30; i++) {
            m.learn(randomCell(r, config.features()), r.nextInt(config.classes()));
        }
        return m;
    }

    @ParameterizedTest(name = "standardize={0}")
    @ValueSource(booleans = {false, true})
    void gradientMatchesFiniteDifferences(boolean standardize) {
        LearnerConfig config = new LearnerConfig(3, 7, 0.1, 0, 0.05, standardize);
        SoftmaxRegression m = warmedUp(config, 1);
        SparseVector x = randomCell(new Random(2), 7);
        int label = 2;
        double[] gw = new double[3 * 7];
        double[] gb = new double[3];
        m.gradient(x, label, gw, gb);

        double h = 1e-6;
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 7; j++) {
                m.nudgeWeight(k, j, h);
                double plus = m.objective(x, label);
                m.nudgeWeight(k, j, -2 * h);
                double minus = m.objective(x, label);
                m.nudgeWeight(k, j, h);
                assertThat(gw[k * 7 + j]).as("d/dW[%d][%d]", k, j).isCloseTo((plus - minus) / (2 * h), within(1e-6));
            }
            m.nudgeBias(k, h);
            double plus = m.objective(x, label);
            m.nudgeBias(k, -2 * h);
            double minus = m.objective(x, label);
            m.nudgeBias(k, h);
            assertThat(gb[k]).as("d/db[%d]", k).isCloseTo((plus - minus) / (2 * h), within(1e-6));
        }
        // the check is not vacuous: the gradient has weight components of both signs
        assertThat(Arrays.stream(gw).min().getAsDouble()).isNegative();
        assertThat(Arrays.stream(gw).max().getAsDouble()).isPositive();
    }

    @Test
    void sparseStepsEqualPlainDenseSgd() {
        // a rate * l2 of 0.9 shrinks the weight factor tenfold per step: it is folded every few steps
        LearnerConfig config = new LearnerConfig(4, 9, 0.9, 50, 1.0, false);
        SoftmaxRegression m = new SoftmaxRegression(config);
        double[] w = new double[4 * 9];
        double[] b = new double[4];
        Random r = new Random(3);
        for (int t = 0; t < 200; t++) {
            SparseVector x = randomCell(r, 9);
            int y = r.nextInt(4);
            double[] dense = new double[9];
            for (int i = 0; i < x.nnz(); i++) {
                dense[x.indices()[i]] = x.values()[i];
            }
            // the textbook step: W -= rate * ((p - e_y) x^T + l2 W); b -= rate * (p - e_y)
            double[] p = new double[4];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 4; k++) {
                p[k] = b[k];
                for (int j = 0; j < 9; j++) {
                    p[k] += w[k * 9 + j] * dense[j];
                }
                max = Math.max(max, p[k]);
            }
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                p[k] = Math.exp(p[k] - max);
                sum += p[k];
            }
            double rate = config.rateAt(t);
            for (int k = 0; k < 4; k++) {
                double residual = p[k] / sum - (k == y ? 1 : 0);
                for (int j = 0; j < 9; j++) {
                    w[k * 9 + j] -= rate * (residual * dense[j] + config.l2() * w[k * 9 + j]);
                }
                b[k] -= rate * residual;
            }
            m.learn(x, y);
        }
        for (int k = 0; k < 4; k++) {
            assertThat(m.bias(k)).isCloseTo(b[k], within(1e-9));
            for (int j = 0; j < 9; j++) {
                assertThat(m.weight(k, j)).as("W[%d][%d]", k, j).isCloseTo(w[k * 9 + j], within(1e-9));
            }
        }
        assertThat(m.steps()).isEqualTo(200);
    }

    /**
     * Four classes, each marked by its own 5 of 60 sparse features (value about 1) among noise
     * features: linearly separable, so online accuracy must approach 1, and so must accuracy on
     * fresh cells.
     */
    @ParameterizedTest(name = "standardize={0}")
    @ValueSource(booleans = {false, true})
    void learnsASeparableProblem(boolean standardize) {
        int classes = 4;
        SoftmaxRegression m = new SoftmaxRegression(new LearnerConfig(classes, 60, 0.1, 500, 1e-4, standardize));
        Random r = new Random(4);
        SparseVector[] test = new SparseVector[400];
        int[] testLabels = new int[test.length];
        for (int i = 0; i < test.length; i++) {
            testLabels[i] = r.nextInt(classes);
            test[i] = separableCell(r, testLabels[i]);
        }
        assertThat(accuracy(m, test, testLabels)).as("untrained: one class for all").isBetween(0.15, 0.35);
        int lastCorrect = 0;
        for (int i = 0; i < 3000; i++) {
            int y = r.nextInt(classes);
            SoftmaxRegression.Step step = m.learn(separableCell(r, y), y);
            if (i >= 2500) {
                lastCorrect += step.predicted() == y ? 1 : 0;
            }
        }
        assertThat(lastCorrect / 500.0).as("prequential accuracy of the last 500").isGreaterThanOrEqualTo(0.98);
        assertThat(accuracy(m, test, testLabels)).as("fresh cells").isGreaterThanOrEqualTo(0.98);
    }

    private static SparseVector separableCell(Random r, int label) {
        double[] dense = new double[60];
        for (int j = 0; j < 5; j++) {
            dense[label * 5 + j] = 1 + 0.3 * r.nextGaussian();
        }
        for (int n = 0; n < 8; n++) {
            dense[20 + r.nextInt(40)] = r.nextGaussian();
        }
        return SparseVector.ofDense(dense);
    }

    private static double accuracy(SoftmaxRegression m, SparseVector[] cells, int[] labels) {
        int correct = 0;
        for (int i = 0; i < cells.length; i++) {
            correct += m.predict(cells[i]) == labels[i] ? 1 : 0;
        }
        return (double) correct / cells.length;
    }

    @Test
    void anUntrainedModelPredictsUniformly() {
        SoftmaxRegression m = new SoftmaxRegression(new LearnerConfig(5, 3, 0.1, 0, 0, false));
        SparseVector x = SparseVector.ofDense(1, 0, -2);
        assertThat(m.probabilities(x)).containsOnly(0.2);
        SoftmaxRegression.Step s = m.evaluate(x, 3);
        assertThat(s.loss()).isCloseTo(Math.log(5), within(1e-12));
        assertThat(m.steps()).isZero(); // evaluating is not training
    }

    @ParameterizedTest(name = "standardize={0}")
    @ValueSource(booleans = {false, true})
    void theBinaryFormRestoresAModelThatContinuesBitForBit(boolean standardize) throws IOException {
        LearnerConfig config = new LearnerConfig(3, 11, 0.2, 100, 0.01, standardize);
        SoftmaxRegression original = warmedUp(config, 5);
        SoftmaxRegression copy = ModelCodec.fromBytes(ModelCodec.toBytes(original));
        assertThat(copy.config()).isEqualTo(config);
        assertThat(copy.steps()).isEqualTo(original.steps());
        assertThat(copy.scale()).isEqualTo(original.scale());
        Random r = new Random(6);
        for (int i = 0; i < 50; i++) {
            SparseVector x = randomCell(r, 11);
            int y = r.nextInt(3);
            assertThat(copy.learn(x, y)).isEqualTo(original.learn(x, y));
        }
        assertThat(copy.weights()).containsExactly(original.weights());
        assertThat(copy.biases()).containsExactly(original.biases());
    }

    @ParameterizedTest(name = "standardize={0}")
    @ValueSource(booleans = {false, true})
    void theJsonFormRestoresTheModelToRounding(boolean standardize) throws IOException {
        LearnerConfig config = new LearnerConfig(3, 11, 0.2, 100, 0.01, standardize);
        SoftmaxRegression original = warmedUp(config, 7);
        // through text, as a snapshot file is read
        SoftmaxRegression copy = ModelCodec.fromJson(new ObjectMapper()
                .readTree(ModelCodec.toJson(original).toString()));
        assertThat(copy.config()).isEqualTo(config);
        assertThat(copy.steps()).isEqualTo(original.steps());
        assertThat(copy.biases()).containsExactly(original.biases());
        assertThat(copy.scale()).isEqualTo(original.scale());
        double[] w = original.weights();
        assertThat(copy.weights()).containsExactly(w, within(1e-12));
        Random r = new Random(8);
        for (int i = 0; i < 50; i++) {
            SparseVector x = randomCell(r, 11);
            int y = r.nextInt(3);
            SoftmaxRegression.Step expected = original.learn(x, y);
            SoftmaxRegression.Step actual = copy.learn(x, y);
            assertThat(actual.predicted()).isEqualTo(expected.predicted());
            assertThat(actual.loss()).isCloseTo(expected.loss(), within(1e-9));
        }
    }

    @Test
    void theBinaryFormIsChecked() {
        byte[] bytes = ModelCodec.toBytes(new SoftmaxRegression(new LearnerConfig(2, 2, 0.1, 0, 0, false)));
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> ModelCodec.fromBytes(trailing)).isInstanceOf(IOException.class).hasMessageContaining("trailing");
        byte[] badVersion = bytes.clone();
        badVersion[7] = 9; // the version is the second int
        assertThatThrownBy(() -> ModelCodec.fromBytes(badVersion)).isInstanceOf(IOException.class).hasMessageContaining("version 9");
        byte[] badMagic = bytes.clone();
        badMagic[0] = 0;
        assertThatThrownBy(() -> ModelCodec.fromBytes(badMagic)).isInstanceOf(IOException.class).hasMessageContaining("magic");
        assertThatThrownBy(() -> ModelCodec.fromBytes(Arrays.copyOf(bytes, bytes.length - 8))).isInstanceOf(IOException.class);
    }

    @Test
    void inputsAndSettingsAreValidated() {
        SoftmaxRegression m = new SoftmaxRegression(new LearnerConfig(3, 4, 0.1, 0, 0, false));
        assertThatThrownBy(() -> m.learn(SparseVector.ofDense(1, 2, 3), 0)).hasMessageContaining("3 features, the model 4");
        assertThatThrownBy(() -> m.learn(SparseVector.ofDense(1, 2, 3, 4), 3)).hasMessageContaining("label must be in [0, 3), was 3");
        assertThatThrownBy(() -> m.learn(SparseVector.ofDense(1, Double.NaN, 3, 4), 0)).hasMessageContaining("feature 1 is NaN");
        assertThatThrownBy(() -> new LearnerConfig(1, 4, 0.1, 0, 0, false)).hasMessageContaining("classes must be >= 2, was 1");
        assertThatThrownBy(() -> new LearnerConfig(3, 4, 0, 0, 0, false)).hasMessageContaining("learningRate must be > 0");
        assertThatThrownBy(() -> new LearnerConfig(3, 4, 0.5, 0, 2, false)).hasMessageContaining("learningRate * l2 must be < 1");
        assertThatThrownBy(() -> m.withConfig(new LearnerConfig(3, 5, 0.1, 0, 0, false))).hasMessageContaining("cannot continue");
        assertThat(m.steps()).isZero();
    }

    @Test
    void theLearningRateDecaysByTheInverseSquareRoot() {
        LearnerConfig c = new LearnerConfig(2, 1, 0.4, 100, 0, false);
        assertThat(c.rateAt(0)).isEqualTo(0.4);
        assertThat(c.rateAt(300)).isCloseTo(0.2, within(1e-15));
        assertThat(new LearnerConfig(2, 1, 0.4, 0, 0, false).rateAt(1_000_000)).isEqualTo(0.4);
    }
}
