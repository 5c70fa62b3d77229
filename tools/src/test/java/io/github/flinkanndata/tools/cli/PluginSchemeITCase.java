package io.github.flinkanndata.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.flink.core.fs.FileSystemFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The advice of the "no Flink file system for scheme" error holds: a file-system plugin put into
 * its own subfolder of the plugins folder ({@code FLINK_PLUGINS_DIR}) makes its scheme readable
 * by the command-line tool, which loads the folder when it first meets a scheme it cannot read.
 * Each run is a child JVM ({@code FLINK_PLUGINS_DIR} is read from the environment).
 */
@Timeout(120)
class PluginSchemeITCase {
    @TempDir Path work;

    @Test
    void aPluginInThePluginsFolderMakesItsSchemeReadable() throws Exception {
        String store = CollectionCommandsTest.store("mixed_m1.h5ad");
        String uri = LocalAliasFileSystemFactory.SCHEME + "://" + store;
        Path plugins = Files.createDirectories(work.resolve("plugins"));

        Run without = run(plugins, "dump", uri, "--obs-keys", "cell_type");
        assertThat(without.code).isNotZero();
        assertThat(without.err).startsWith("error: store '" + uri + "': no Flink file system for scheme 'anndatatest'")
                .contains("here " + plugins + ", from FLINK_PLUGINS_DIR");

        writePlugin(Files.createDirectories(plugins.resolve("anndatatest-fs")).resolve("anndatatest-fs.jar"));
        Run with = run(plugins, "dump", uri, "--obs-keys", "cell_type");
        assertThat(with.code).as(with.err).isZero();
        assertThat(with.out).isEqualTo(CollectionCommandsTest.run("dump", store, "--obs-keys", "cell_type").out);
    }

    /** A jar with the factory class and its service entry, as a file-system plugin is built. */
    private static void writePlugin(Path jar) throws IOException {
        Class<?> factory = LocalAliasFileSystemFactory.class;
        String classFile = factory.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry(classFile));
            try (var in = factory.getClassLoader().getResourceAsStream(classFile)) {
                in.transferTo(out);
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + FileSystemFactory.class.getName()));
            out.write((factory.getName() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private record Run(int code, String out, String err) {}

    /** {@code java -cp <this classpath> AnnDataCli ARGS} with FLINK_PLUGINS_DIR and its own temp folder. */
    private Run run(Path plugins, String... args) throws Exception {
        Path tmp = Files.createTempDirectory(work, "tmp");
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                AnnDataCli.class.getName()));
        cmd.addAll(List.of(args));
        Path out = work.resolve("out.txt");
        Path err = work.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("FLINK_PLUGINS_DIR", plugins.toString());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the CLI finishes").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
