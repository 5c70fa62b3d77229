package io.github.flinkanndata.examples.training;

import java.io.Serializable;
import java.util.Locale;

/**
 * The shape and hyperparameters of a {@link SoftmaxRegression}: validated, immutable, serialisable
 * (it travels inside the job graph).
 *
 * <p>The learning rate of step {@code t} (0-based) is {@code learningRate / sqrt(1 + t /
 * decayCells)}, the usual inverse-square-root schedule for SGD on a convex loss; {@code
 * decayCells = 0} keeps it constant. {@code l2} is the weight of {@code (l2 / 2) * ||W||²} in the
 * objective (the bias is not regularised).
 */
public final class LearnerConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int classes;
    private final int features;
    private final double learningRate;
    private final double decayCells;
    private final double l2;
    private final boolean standardize;

    /**
     * @param classes number of classes K (labels 0..K-1), at least 2
     * @param features number of input features G, at least 1
     * @param learningRate initial learning rate, > 0
     * @param decayCells steps until the rate falls to {@code 1/sqrt(2)} of the initial one; 0 for a
     *     constant rate
     * @param l2 L2 penalty, >= 0, with {@code learningRate * l2 < 1}
     * @param standardize divide each feature by its running standard deviation (see {@link
     *     RunningScale})
     */
    public LearnerConfig(int classes, int features, double learningRate, double decayCells, double l2,
            boolean standardize) {
        check(classes >= 2, "classes must be >= 2, was %s", classes);
        check(features >= 1, "features must be >= 1, was %s", features);
        check(learningRate > 0 && Double.isFinite(learningRate), "learningRate must be > 0, was %s", learningRate);
        check(decayCells >= 0 && Double.isFinite(decayCells), "decayCells must be >= 0, was %s", decayCells);
        check(l2 >= 0 && Double.isFinite(l2), "l2 must be >= 0, was %s", l2);
        // the step shrinks the weights by (1 - rate * l2): it must stay positive
        check(learningRate * l2 < 1, "learningRate * l2 must be < 1, was %s", learningRate * l2);
        this.classes = classes;
        this.features = features;
        this.learningRate = learningRate;
        this.decayCells = decayCells;
        this.l2 = l2;
        this.standardize = standardize;
    }

    private static void check(boolean condition, String message, Object value) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, message, value));
        }
    }

    public int classes() {
        return classes;
    }

    public int features() {
        return features;
    }

    public double learningRate() {
        return learningRate;
    }

    public double decayCells() {
        return decayCells;
    }

    public double l2() {
        return l2;
    }

    public boolean standardize() {
        return standardize;
    }

    /** The learning rate of step {@code t} (0-based). */
    public double rateAt(long t) {
        return decayCells == 0 ? learningRate : learningRate / Math.sqrt(1 + t / decayCells);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LearnerConfig)) {
            return false;
        }
        LearnerConfig c = (LearnerConfig) o;
        return classes == c.classes && features == c.features && learningRate == c.learningRate
                && decayCells == c.decayCells && l2 == c.l2 && standardize == c.standardize;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(classes, features, learningRate, decayCells, l2, standardize);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LearnerConfig{classes=%d, features=%d, learningRate=%s, decayCells=%s, "
                + "l2=%s, standardize=%s}", classes, features, learningRate, decayCells, l2, standardize);
    }
}
