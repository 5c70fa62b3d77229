package io.github.flinkanndata.examples.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import javax.annotation.Nullable;

/**
 * The two forms of a {@link SoftmaxRegression}: compact binary for Flink state, JSON for snapshot
 * files that people and other tools read. Both hold the hyperparameters, the step count, the
 * weights and biases, and the running feature scale.
 *
 * <p>The binary form is the exact state: a model read back continues bit for bit as the
 * original would. Layout, version 1 (big-endian): magic {@code "SMX1"}, version, classes K,
 * features G, learning rate, decay cells, l2, standardize, steps, weight factor, K biases, K×G
 * unscaled weights (row-major), then when standardising the scale's count, G sums and G sums of
 * squares. Readers check the magic, the version and that no bytes trail. A new layout gets a new
 * version and this class keeps reading the old ones.
 *
 * <p>The JSON form holds the weights themselves (factor applied), which is what a reader wants;
 * a model read from it agrees with the original to rounding.
 */
public final class ModelCodec {
    private static final int MAGIC = 0x534D5831; // "SMX1"
    private static final int VERSION_1 = 1;

    private ModelCodec() {}

    public static byte[] toBytes(SoftmaxRegression model) {
        LearnerConfig c = model.config();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 8 * (c.classes() * (c.features() + 1)));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION_1);
            out.writeInt(c.classes());
            out.writeInt(c.features());
            out.writeDouble(c.learningRate());
            out.writeDouble(c.decayCells());
            out.writeDouble(c.l2());
            out.writeBoolean(c.standardize());
            out.writeLong(model.steps());
            out.writeDouble(model.weightFactor());
            writeDoubles(out, model.biases());
            writeDoubles(out, model.unscaledWeights());
            RunningScale scale = model.scale();
            if (scale != null) {
                out.writeLong(scale.count());
                writeDoubles(out, scale.sum());
                writeDoubles(out, scale.sumSquares());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen in memory", e);
        }
        return bytes.toByteArray();
    }

    public static SoftmaxRegression fromBytes(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (bytes.length < 8 || in.readInt() != MAGIC) {
            throw new IOException("not a softmax regression model (bad magic number)");
        }
        int version = in.readInt();
        if (version != VERSION_1) {
            throw new IOException("unknown softmax regression model version " + version + "; this build reads 1");
        }
        LearnerConfig config;
        try {
            config = new LearnerConfig(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(),
                    in.readBoolean());
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt softmax regression model: " + e.getMessage(), e);
        }
        long steps = in.readLong();
        double factor = in.readDouble();
        double[] bias = readDoubles(in, config.classes());
        double[] weights = readDoubles(in, config.classes() * config.features());
        RunningScale scale = null;
        if (config.standardize()) {
            long count = in.readLong();
            scale = new RunningScale(count, readDoubles(in, config.features()), readDoubles(in, config.features()));
        }
        if (in.available() > 0) {
            throw new IOException(in.available() + " trailing bytes after the softmax regression model");
        }
        try {
            return new SoftmaxRegression(config, weights, factor, bias, scale, steps);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt softmax regression model: " + e.getMessage(), e);
        }
    }

    /** The model as JSON: {@code config}, {@code steps}, {@code bias}, {@code weights} (K rows), {@code feature_scale}. */
    public static ObjectNode toJson(SoftmaxRegression model) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        LearnerConfig c = model.config();
        ObjectNode json = f.objectNode();
        ObjectNode config = json.putObject("config");
        config.put("classes", c.classes());
        config.put("features", c.features());
        config.put("learning_rate", c.learningRate());
        config.put("decay_cells", c.decayCells());
        config.put("l2", c.l2());
        config.put("standardize", c.standardize());
        json.put("steps", model.steps());
        json.set("bias", array(model.biases(), 0, c.classes()));
        ArrayNode rows = json.putArray("weights");
        double[] w = model.weights();
        for (int k = 0; k < c.classes(); k++) {
            rows.add(array(w, k * c.features(), c.features()));
        }
        RunningScale scale = model.scale();
        if (scale == null) {
            json.putNull("feature_scale");
        } else {
            ObjectNode s = json.putObject("feature_scale");
            s.put("count", scale.count());
            s.set("sum", array(scale.sum(), 0, c.features()));
            s.set("sum_squares", array(scale.sumSquares(), 0, c.features()));
        }
        return json;
    }

    /** Reads what {@link #toJson} wrote (extra fields are ignored). */
    public static SoftmaxRegression fromJson(JsonNode json) throws IOException {
        JsonNode c = field(json, "config");
        LearnerConfig config;
        try {
            config = new LearnerConfig(field(c, "classes").asInt(), field(c, "features").asInt(),
                    field(c, "learning_rate").asDouble(), field(c, "decay_cells").asDouble(), field(c, "l2").asDouble(),
                    field(c, "standardize").asBoolean());
        } catch (IllegalArgumentException e) {
            throw new IOException("bad model config: " + e.getMessage(), e);
        }
        int k = config.classes();
        int g = config.features();
        double[] weights = new double[k * g];
        JsonNode rows = field(json, "weights");
        if (rows.size() != k) {
            throw new IOException("weights has " + rows.size() + " rows, expected " + k);
        }
        for (int i = 0; i < k; i++) {
            System.arraycopy(doubles(rows.get(i), g, "weights[" + i + "]"), 0, weights, i * g, g);
        }
        RunningScale scale = null;
        JsonNode s = json.get("feature_scale");
        if (s != null && !s.isNull()) {
            scale = new RunningScale(field(s, "count").asLong(), doubles(field(s, "sum"), g, "feature_scale.sum"),
                    doubles(field(s, "sum_squares"), g, "feature_scale.sum_squares"));
        }
        try {
            return new SoftmaxRegression(config, weights, 1, doubles(field(json, "bias"), k, "bias"), scale,
                    field(json, "steps").asLong());
        } catch (IllegalArgumentException e) {
            throw new IOException("inconsistent model: " + e.getMessage(), e);
        }
    }

    private static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private static double[] readDoubles(DataInputStream in, int n) throws IOException {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.readDouble();
        }
        return values;
    }

    private static ArrayNode array(double[] values, int from, int length) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode(length);
        for (int i = from; i < from + length; i++) {
            a.add(values[i]);
        }
        return a;
    }

    private static JsonNode field(JsonNode node, String name) throws IOException {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new IOException("model JSON lacks '" + name + "'");
        }
        return v;
    }

    private static double[] doubles(@Nullable JsonNode a, int n, String name) throws IOException {
        if (a == null || !a.isArray() || a.size() != n) {
            throw new IOException(name + " must be an array of " + n + " numbers");
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a.get(i).asDouble();
        }
        return values;
    }
}
