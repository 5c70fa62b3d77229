package io.github.flinkanndata.examples.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * Model snapshot files: one JSON object per file, {@code model-<cells seen, 12 digits>.json}, so
 * that names sort by progress. A file is written to a temporary name and moved into place, so a
 * reader never sees half a snapshot; only the newest {@link #KEEP} are kept.
 *
 * <pre>{@code
 * {"format": "flink-anndata-softmax-regression", "version": 1, "label_key": "bulk_labels",
 *  "classes": ["CD14+ Monocyte", ...], "genes": ["HES4", ...] or null,
 *  "cells_seen": 3500, "cells_trained": 2780, "epochs_completed": 5, "restores": 0,
 *  "restored_at_cells": 0, "final": true, "model": {see ModelCodec.toJson}}
 * }</pre>
 *
 * {@code classes[k]} names the label of code k, the class of row k of the weights; {@code
 * genes[j]} the feature of column j.
 */
public final class ModelSnapshots {
    static final String FORMAT = "flink-anndata-softmax-regression";
    static final int KEEP = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelSnapshots() {}

    /** What a snapshot says about the model's inputs and outputs (fixed for a job). */
    public record Labels(String labelKey, List<String> classes, @Nullable List<String> genes) implements Serializable {}

    /** A snapshot read back: the model and the whole JSON object (for its metadata). */
    public record Loaded(SoftmaxRegression model, JsonNode json) {}

    /** Writes a snapshot into {@code dir} (created if needed), removes old ones and returns its path. */
    static Path write(Path dir, SoftmaxRegression model, TrainingProgress progress, Labels labels, boolean isFinal)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        root.put("label_key", labels.labelKey());
        labels.classes().forEach(root.putArray("classes")::add);
        if (labels.genes() == null) {
            root.putNull("genes");
        } else {
            labels.genes().forEach(root.putArray("genes")::add);
        }
        root.put("cells_seen", progress.cells());
        root.put("cells_trained", model.steps());
        root.put("epochs_completed", progress.epochsCompleted());
        root.put("restores", progress.restores());
        root.put("restored_at_cells", progress.restoredAtCells());
        root.put("final", isFinal);
        root.set("model", ModelCodec.toJson(model));

        Files.createDirectories(dir);
        Path target = dir.resolve(String.format(Locale.ROOT, "model-%012d.json", progress.cells()));
        Path temporary = dir.resolve("." + target.getFileName() + ".tmp");
        JSON.writeValue(temporary.toFile(), root);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        List<Path> all = list(dir);
        for (Path old : all.subList(0, Math.max(0, all.size() - KEEP))) {
            Files.deleteIfExists(old);
        }
        return target;
    }

    /** The newest snapshot in {@code dir}, if any. */
    public static Optional<Path> latest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> all = list(dir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Reads a snapshot file. */
    public static Loaded read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IOException(file + " is not a " + FORMAT + " snapshot");
        }
        if (root.path("version").asInt() != 1) {
            throw new IOException(file + ": unknown snapshot version " + root.path("version") + "; this build reads 1");
        }
        try {
            return new Loaded(ModelCodec.fromJson(root.path("model")), root);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The snapshot files of {@code dir}, oldest first. */
    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("model-\\d{12}\\.json"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }
}
