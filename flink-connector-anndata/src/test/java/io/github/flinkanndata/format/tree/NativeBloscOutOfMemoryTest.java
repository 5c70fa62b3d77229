package io.github.flinkanndata.format.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.scalableminds.bloscjava.Blosc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blosc decode on a heap without room for its output, in a JVM of its own (64 MiB heap, filled
 * but for a few MiB): through {@link NativeBlosc} it ends in an {@code OutOfMemoryError} thrown in
 * Java, which the program catches, and the JVM goes on. (Calling blosc-java's {@code
 * Blosc.decompress} directly in the same state crashes the JVM inside the binding — {@code main}'s
 * {@code raw} mode, kept to show it; not run here, as a crashing JVM writes an error report.)
 */
class NativeBloscOutOfMemoryTest {
    private static final int OUTPUT = 32 << 20;

    @TempDir Path dir;

    @Test
    void aFullHeapEndsInAJavaOutOfMemoryError() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:ErrorFile=" + dir.resolve("hs_err.log"), "-Djava.io.tmpdir=" + dir,
                "-cp", classpath, NativeBloscOutOfMemoryTest.class.getName(), "guarded"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(output, StandardCharsets.UTF_8);
        assertThat(out).as("the child's output").contains("OutOfMemoryError in Java: ").contains("alive after it");
        assertThat(p.exitValue()).as(out).isZero();
    }

    /** Fills the heap but for a few MiB, then decodes a frame of 32 MiB: {@code guarded} or {@code raw}. */
    public static void main(String[] args) throws Exception {
        byte[] frame = Blosc.compress(new byte[OUTPUT], 4, Blosc.Compressor.LZ4); // ~130 KB
        List<byte[]> ballast = new ArrayList<>();
        try {
            while (true) {
                ballast.add(new byte[1 << 20]);
            }
        } catch (OutOfMemoryError full) {
            for (int i = 0; i < 4 && !ballast.isEmpty(); i++) {
                ballast.remove(ballast.size() - 1); // room for small things, not for the output
            }
        }
        try {
            byte[] out = args[0].equals("raw") ? Blosc.decompress(frame) : NativeBlosc.decode(frame, OUTPUT);
            System.out.println("decoded " + out.length + " bytes (the heap had room after all)");
        } catch (OutOfMemoryError e) {
            ballast.clear();
            System.out.println("OutOfMemoryError in Java: " + e.getMessage());
        }
        System.out.println("alive after it, " + ballast.size() + " ballast arrays kept");
    }
}
