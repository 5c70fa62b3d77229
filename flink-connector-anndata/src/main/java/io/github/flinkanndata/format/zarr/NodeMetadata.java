package io.github.flinkanndata.format.zarr;

import java.util.Map;

import javax.annotation.Nullable;

/**
 * The parsed metadata of one node: its normalised attributes and, for an array, its {@link
 * ArrayMetadata} (null for a group). Immutable.
 */
record NodeMetadata(String path, Map<String, Object> attributes, @Nullable ArrayMetadata array) {}
