package io.github.flinkanndata.sql;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the shaded jar holds: our classes, the pure-Java dependencies relocated under {@value
 * #SHADED}, the JNI bindings in their own packages (their native symbols are named after them), no
 * Flink, and service files whose every entry names a class the jar has. Runs after {@code package}
 * on the jar the build just made ({@code -Dshaded.jar}).
 */
class ShadedJarContentITCase {
    static final String OURS = "io/github/flinkanndata/";
    static final String SHADED = "io/github/flinkanndata/shaded/";

    /** Third-party packages that must not be relocated: JNI bindings linked by class name. */
    static final List<String> JNI_PACKAGES =
            List.of("com/github/luben/zstd/", "com/scalableminds/bloscjava/");

    /** Packages of the bundled pure-Java libraries, which must appear only relocated. */
    static final List<String> RELOCATED =
            List.of(
                    "io/jhdf/",
                    "com/fasterxml/jackson/",
                    "org/apache/commons/",
                    "com/ning/compress/",
                    "net/jpountz/");

    private static JarFile jar;

    static Path shadedJar() {
        String p = System.getProperty("shaded.jar");
        assertThat(p).as("system property shaded.jar (set by the build)").isNotBlank();
        Path jarPath = Paths.get(p);
        assertThat(jarPath).as("the shaded jar; run `mvn package` first").exists();
        return jarPath;
    }

    @BeforeAll
    static void open() throws IOException {
        jar = new JarFile(shadedJar().toFile());
    }

    @AfterAll
    static void close() throws IOException {
        jar.close();
    }

    private static List<String> entries() {
        List<String> out = new ArrayList<>();
        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            out.add(e.nextElement().getName());
        }
        return out;
    }


    @Test
    void everyClassIsOursRelocatedOrAJniBinding() {
        List<String> stray =
                entries().stream()
                        .filter(n -> n.endsWith(".class"))
                        .filter(n -> !n.startsWith(OURS))
                        .filter(n -> JNI_PACKAGES.stream().noneMatch(n::startsWith))
                        .collect(Collectors.toList());
        assertThat(stray).as("classes neither ours, relocated nor a JNI binding").isEmpty();
    }

    @Test
    void noFlinkNoLoggingAndNoMultiReleaseVariants() {
        assertThat(entries())
                .noneMatch(n -> n.startsWith("org/apache/flink/"))
                .noneMatch(n -> n.startsWith("org/slf4j/"))
                .noneMatch(n -> n.startsWith("org/apache/logging/"))
                // the shade plugin leaves classes under META-INF/versions unrelocated
                .noneMatch(n -> n.startsWith("META-INF/versions/") && n.endsWith(".class"));
    }

    @Test
    void theConnectorAndEveryBundledLibraryAreThere() {
        List<String> names = entries();
        assertThat(names).contains(OURS + "table/AnnDataDynamicTableFactory.class");
        for (String pkg : RELOCATED) {
            assertThat(names).as("relocated %s", pkg).anyMatch(n -> n.startsWith(SHADED + pkg));
        }
        for (String pkg : JNI_PACKAGES) {
            assertThat(names).as("JNI binding %s", pkg).anyMatch(n -> n.startsWith(pkg));
        }
        // the native libraries the bindings load for this platform
        assertThat(names).anyMatch(n -> n.endsWith("libbloscjni.so"));
        assertThat(names).anyMatch(n -> n.startsWith("linux/amd64/") && n.contains("zstd-jni"));
        assertThat(names).contains("META-INF/NOTICE", "META-INF/licenses/LICENSE.jhdf");
    }

    /** No class still refers to a bundled library by its original name (a missed relocation). */
    @Test
    void noClassRefersToAnUnrelocatedName() throws IOException {
        Set<String> bad = new TreeSet<>();
        for (String n : entries()) {
            if (!n.endsWith(".class")) {
                continue;
            }
            byte[] b = read(n);
            for (String pkg : RELOCATED) {
                if (refersUnrelocated(b, pkg.getBytes(UTF_8))) {
                    bad.add(n + " -> " + pkg);
                }
            }
        }
        assertThat(bad).isEmpty();
    }

    /** True if {@code pkg} occurs in {@code b} without the relocation prefix right before it. */
    static boolean refersUnrelocated(byte[] b, byte[] pkg) {
        byte[] prefix = SHADED.getBytes(UTF_8);
        outer:
        for (int i = 0; i + pkg.length <= b.length; i++) {
            for (int j = 0; j < pkg.length; j++) {
                if (b[i + j] != pkg[j]) {
                    continue outer;
                }
            }
            int start = i - prefix.length;
            if (start < 0 || !Arrays.equals(Arrays.copyOfRange(b, start, i), prefix)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theRelocationCheckSeesAMissedRelocation() {
        byte[] pkg = "io/jhdf/".getBytes(UTF_8);
        assertThat(refersUnrelocated("Lio/jhdf/HdfFile;".getBytes(UTF_8), pkg)).isTrue();
        assertThat(refersUnrelocated(("L" + SHADED + "io/jhdf/HdfFile;").getBytes(UTF_8), pkg))
                .isFalse();
    }

    @Test
    void serviceFilesNameClassesOfTheJar() throws IOException {
        List<String> services =
                entries().stream()
                        .filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/"))
                        .collect(Collectors.toList());
        assertThat(services).contains("META-INF/services/org.apache.flink.table.factories.Factory");
        Set<String> names = Set.copyOf(entries());
        for (String s : services) {
            String api = s.substring("META-INF/services/".length());
            assertThat(RELOCATED.stream().noneMatch(p -> api.replace('.', '/').startsWith(p)))
                    .as("service interface of %s is relocated", s)
                    .isTrue();
            for (String impl : lines(s)) {
                assertThat(names).as("%s lists %s", s, impl).contains(impl.replace('.', '/') + ".class");
            }
        }
    }

    /**
     * Every service the connector registers is registered in the shaded jar too: the table
     * factory, and the storage backends, without which no store opens.
     */
    @Test
    void theConnectorsServicesAreRegistered() throws IOException {
        Path connectorServices = Paths.get(System.getProperty("connector.services"));
        for (String api : List.of("org.apache.flink.table.factories.Factory",
                "io.github.flinkanndata.format.tree.ContainerBackend")) {
            List<String> declared =
                    Files.readAllLines(connectorServices.resolve(api), UTF_8).stream()
                            .map(String::trim)
                            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                            .collect(Collectors.toList());
            assertThat(declared).as(api).isNotEmpty();
            assertThat(lines("META-INF/services/" + api)).as(api).containsAll(declared);
        }
    }

    private static List<String> lines(String entry) throws IOException {
        return Arrays.stream(new String(read(entry), UTF_8).split("\n"))
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .collect(Collectors.toList());
    }

    private static byte[] read(String entry) throws IOException {
        try (InputStream in = jar.getInputStream(jar.getJarEntry(entry))) {
            return in.readAllBytes();
        }
    }
}
