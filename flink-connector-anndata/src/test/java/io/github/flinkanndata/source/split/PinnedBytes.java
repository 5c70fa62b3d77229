package io.github.flinkanndata.source.split;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Committed serializer bytes under {@code src/test/resources/serializer-snapshots/}: checkpoints
 * written by a released build must be readable by every later one, so each version's bytes are
 * pinned once and read back forever.
 *
 * <p>A file is written only when it is missing, and only by the serializer version it is named
 * after (the writer of an older version no longer exists). Commit the file the first run creates;
 * never overwrite or delete one that was committed.
 */
public final class PinnedBytes {
    private PinnedBytes() {}

    public static Path file(String name) {
        return Path.of("src", "test", "resources", "serializer-snapshots", name);
    }

    /**
     * The bytes pinned as {@code name} for {@code version}; if the file does not exist yet, the
     * current serializer writes {@code value} into it first (which requires {@code version} to be
     * the serializer's current version).
     */
    public static <T> byte[] pinned(String name, int version, SimpleVersionedSerializer<T> serializer, T value)
            throws IOException {
        Path path = file(name);
        if (!Files.exists(path)) {
            writeMissing(path, version, serializer, value);
        }
        return Files.readAllBytes(path);
    }

    private static <T> void writeMissing(Path path, int version, SimpleVersionedSerializer<T> serializer, T value)
            throws IOException {
        assertThat(serializer.getVersion())
                .as("%s is missing and only version %s of the serializer can write it", path, version)
                .isEqualTo(version);
        Files.createDirectories(path.getParent());
        Files.write(path, serializer.serialize(value));
    }
}
