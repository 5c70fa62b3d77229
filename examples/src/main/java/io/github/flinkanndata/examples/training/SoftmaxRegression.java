package io.github.flinkanndata.examples.training;

import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * Online multinomial logistic regression: a softmax over {@code K} classes of {@code W x + b},
 * trained by stochastic gradient descent, one cell at a time, on sparse inputs.
 *
 * <p>Per cell, {@link #learn} is prequential (test-then-train): it first predicts the label with
 * the current model (the prediction and its cross-entropy loss are returned, for honest online
 * accuracy), then takes one SGD step on the objective {@code -log p(y | x) + (l2 / 2) ||W||²}.
 *
 * <p><b>Sparse steps.</b> The gradient of the loss touches only the columns of the non-zero
 * features, but the L2 term shrinks every weight. The weights are therefore kept as {@code W =
 * factor * V}: the shrink {@code W ← (1 - rate * l2) W} multiplies {@code factor}, and the loss
 * gradient is added to {@code V} divided by {@code factor}. A step costs O(K × non-zeros), yet
 * equals the dense step exactly (up to rounding); {@code factor} is folded back into {@code V}
 * before it underflows.
 *
 * <p><b>Standardisation</b> (optional) divides feature {@code j} by its running standard deviation
 * ({@link RunningScale}), updated with each cell before it is predicted (the features of a cell
 * are known at prediction time; only its label is not).
 *
 * <p>Not thread-safe: one instance belongs to one operator (or one test).
 */
public final class SoftmaxRegression {
    /** Probabilities are clipped here in the loss, so one confident mistake cannot be infinite. */
    static final double MIN_PROBABILITY = 1e-15;
    /** {@code factor} is folded into the weights when it falls below this. */
    private static final double MIN_FACTOR = 1e-6;

    private final LearnerConfig config;
    private final double[] v; // K x G, row-major: W[k][j] = factor * v[k * G + j]
    private double factor;
    private final double[] bias;
    @Nullable private final RunningScale scale; // non-null iff config.standardize()
    private long steps;

    /** A model with all weights and biases zero (uniform predictions). */
    public SoftmaxRegression(LearnerConfig config) {
        this(config, new double[config.classes() * config.features()], 1, new double[config.classes()],
                config.standardize() ? new RunningScale(config.features()) : null, 0);
    }

    /**
     * A model from its parts (for the codecs); the arrays are taken, not copied.
     *
     * @param v the weights divided by {@code factor}, K x G row-major
     * @param factor the weight factor, > 0
     */
    SoftmaxRegression(LearnerConfig config, double[] v, double factor, double[] bias, @Nullable RunningScale scale,
            long steps) {
        if (v.length != config.classes() * config.features() || bias.length != config.classes()) {
            throw new IllegalArgumentException("weights or bias do not match " + config);
        }
        if ((scale != null) != config.standardize()) {
            throw new IllegalArgumentException("feature scale given iff standardize, for " + config);
        }
        if (!(factor > 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("weight factor must be > 0, was " + factor);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
        this.config = config;
        this.v = v;
        this.factor = factor;
        this.bias = bias;
        this.scale = scale;
        this.steps = steps;
    }

    /** The outcome of predicting one cell before training on it. */
    public record Step(int predicted, double loss) {}

    public LearnerConfig config() {
        return config;
    }

    /** Number of SGD steps taken (labelled cells trained on). */
    public long steps() {
        return steps;
    }

    /** Class probabilities of a cell under the current model. */
    public double[] probabilities(SparseVector x) {
        checkInput(x);
        return probabilities(x, scaled(x));
    }

    /** The most probable class of a cell. */
    public int predict(SparseVector x) {
        return argmax(probabilities(x));
    }

    /** Predicts a labelled cell without training on it (for held-out cells). */
    public Step evaluate(SparseVector x, int label) {
        checkLabel(label);
        double[] p = probabilities(x);
        return new Step(argmax(p), -Math.log(Math.max(p[label], MIN_PROBABILITY)));
    }

    /**
     * Test-then-train on one labelled cell: predicts it, then takes one SGD step.
     *
     * @param label the class, in {@code [0, classes)}
     * @return the prediction made before the step and its cross-entropy loss
     */
    public Step learn(SparseVector x, int label) {
        checkInput(x);
        checkLabel(label);
        if (scale != null) {
            scale.add(x);
        }
        double[] xs = scaled(x);
        double[] p = probabilities(x, xs);
        Step result = new Step(argmax(p), -Math.log(Math.max(p[label], MIN_PROBABILITY)));
        double rate = config.rateAt(steps);

        factor *= 1 - rate * config.l2();
        if (factor < MIN_FACTOR) {
            foldFactor();
        }
        int g = config.features();
        for (int k = 0; k < config.classes(); k++) {
            double residual = p[k] - (k == label ? 1 : 0); // d loss / d score_k
            bias[k] -= rate * residual;
            double c = rate * residual / factor;
            for (int i = 0; i < xs.length; i++) {
                v[k * g + x.indices()[i]] -= c * xs[i];
            }
        }
        steps++;
        return result;
    }

    private double[] probabilities(SparseVector x, double[] xs) {
        int g = config.features();
        double[] z = new double[config.classes()];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < z.length; k++) {
            double dot = 0;
            for (int i = 0; i < xs.length; i++) {
                dot += v[k * g + x.indices()[i]] * xs[i];
            }
            z[k] = factor * dot + bias[k];
            max = Math.max(max, z[k]);
        }
        // subtracting the maximum keeps exp() finite; the softmax is unchanged
        double total = 0;
        for (int k = 0; k < z.length; k++) {
            z[k] = Math.exp(z[k] - max);
            total += z[k];
        }
        for (int k = 0; k < z.length; k++) {
            z[k] /= total;
        }
        return z;
    }

    /** The stored values of x, divided by the feature scales when standardising. */
    private double[] scaled(SparseVector x) {
        double[] xs = x.values().clone();
        if (scale != null) {
            for (int i = 0; i < xs.length; i++) {
                xs[i] /= scale.scale(x.indices()[i]);
            }
        }
        return xs;
    }

    private void checkLabel(int label) {
        if (label < 0 || label >= config.classes()) {
            throw new IllegalArgumentException("label must be in [0, " + config.classes() + "), was " + label);
        }
    }

    private void checkInput(SparseVector x) {
        if (x.width() != config.features()) {
            throw new IllegalArgumentException("input has " + x.width() + " features, the model " + config.features());
        }
        for (int i = 0; i < x.nnz(); i++) {
            if (!Double.isFinite(x.values()[i])) {
                throw new IllegalArgumentException("feature " + x.indices()[i] + " is " + x.values()[i]);
            }
        }
    }

    private void foldFactor() {
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        factor = 1;
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Weight of feature {@code j} for class {@code k}. */
    public double weight(int k, int j) {
        return factor * v[k * config.features() + j];
    }

    public double bias(int k) {
        return bias[k];
    }

    /**
     * This model's parameters and step count under other hyperparameters of the same shape (a
     * restored model continues with the job's learning rate and penalty).
     */
    SoftmaxRegression withConfig(LearnerConfig other) {
        if (other.classes() != config.classes() || other.features() != config.features()
                || other.standardize() != config.standardize()) {
            throw new IllegalArgumentException("a model of " + config + " cannot continue as " + other);
        }
        return new SoftmaxRegression(other, v.clone(), factor, biases(), scale(), steps);
    }

    /** A copy of the stored weights before the factor (the exact state; see the class comment). */
    double[] unscaledWeights() {
        return v.clone();
    }

    /** The factor of the stored weights: {@code W = factor * unscaledWeights}. */
    double weightFactor() {
        return factor;
    }

    /** A copy of the weights, K x G row-major. */
    double[] weights() {
        double[] w = v.clone();
        for (int i = 0; i < w.length; i++) {
            w[i] *= factor;
        }
        return w;
    }

    /** A copy of the biases. */
    double[] biases() {
        return bias.clone();
    }

    /** A copy of the running feature scale, or null when not standardising. */
    @Nullable
    RunningScale scale() {
        return scale == null ? null : scale.copy();
    }

    /** The objective of one labelled cell at the current parameters (for gradient checks). */
    double objective(SparseVector x, int label) {
        double[] p = probabilities(x);
        double squares = 0;
        for (double w : weights()) {
            squares += w * w;
        }
        return -Math.log(Math.max(p[label], MIN_PROBABILITY)) + config.l2() / 2 * squares;
    }

    /**
     * The dense gradient of {@link #objective} with respect to the weights (K x G row-major) and
     * the biases, without changing the model (for gradient checks).
     */
    void gradient(SparseVector x, int label, double[] weightGradient, double[] biasGradient) {
        double[] p = probabilities(x);
        double[] xs = scaled(x);
        double[] w = weights();
        int g = config.features();
        for (int i = 0; i < w.length; i++) {
            weightGradient[i] = config.l2() * w[i];
        }
        for (int k = 0; k < config.classes(); k++) {
            double residual = p[k] - (k == label ? 1 : 0);
            biasGradient[k] = residual;
            for (int i = 0; i < xs.length; i++) {
                weightGradient[k * g + x.indices()[i]] += residual * xs[i];
            }
        }
    }

    /** Adds {@code delta} to weight (k, j) (for finite differences). */
    void nudgeWeight(int k, int j, double delta) {
        v[k * config.features() + j] += delta / factor;
    }

    /** Adds {@code delta} to bias k (for finite differences). */
    void nudgeBias(int k, double delta) {
        bias[k] += delta;
    }

    @Override
    public String toString() {
        return "SoftmaxRegression{" + config + ", steps=" + steps + ", bias=" + Arrays.toString(bias) + "}";
    }
}
