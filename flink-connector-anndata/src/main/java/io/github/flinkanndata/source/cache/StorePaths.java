package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.collection.StoreLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;
import org.apache.flink.core.plugin.PluginConfig;
import org.apache.flink.core.plugin.PluginUtils;

/**
 * Checks of store paths before a job is submitted, on the client (the command-line tool, the
 * Python builder), so that a wrong path fails at once and names itself instead of failing the
 * job: a local path (no scheme, or {@code file:}) must exist, and Flink must have a file system
 * for every other scheme. The source's resolver uses {@link #requireFileSystem} too, so that a
 * job on a cluster without the plugin fails with the same message.
 */
@PublicEvolving
public final class StorePaths {
    /** Flink's file-system plugins by scheme (Flink's own table misspells the Azure one). */
    private static final Map<String, String> PLUGINS = Map.of(
            "s3", "flink-s3-fs-hadoop or flink-s3-fs-presto",
            "s3a", "flink-s3-fs-hadoop",
            "s3p", "flink-s3-fs-presto",
            "gs", "flink-gs-fs-hadoop",
            "oss", "flink-oss-fs-hadoop",
            "wasb", "flink-azure-fs-hadoop",
            "wasbs", "flink-azure-fs-hadoop",
            "abfs", "flink-azure-fs-hadoop",
            "abfss", "flink-azure-fs-hadoop");

    private static boolean pluginsLoaded; // guarded by StorePaths.class

    private StorePaths() {}

    /**
     * Checks every path as described above.
     *
     * <p>A client process that never loaded Flink's plugins (an embedded cluster, PyFlink's
     * gateway: only Flink's own command-line client and cluster processes load them) loads the
     * plugins folder once, the first time a scheme has no file system, as Flink's client does when
     * it starts.
     *
     * @throws IllegalArgumentException naming the first path that fails, and why
     */
    public static void check(List<String> paths) {
        for (String path : paths) {
            Path local = StoreLocation.local(path);
            if (local != null) {
                if (!Files.exists(local)) {
                    throw new IllegalArgumentException("store '" + path + "': no such file or directory");
                }
                continue;
            }
            try {
                if (!hasFileSystem(path) && loadPluginsOnce() && hasFileSystem(path)) {
                    continue;
                }
                requireFileSystem(path);
            } catch (IOException e) {
                throw new IllegalArgumentException("store '" + path + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * Fails, naming the scheme and the plugin to add, when Flink has no file system for the
     * scheme of the remote {@code path}.
     */
    @Internal
    public static void requireFileSystem(String path) throws IOException {
        if (!hasFileSystem(path)) {
            throw new IOException(noFileSystem(StoreLocation.scheme(path)));
        }
    }

    private static boolean hasFileSystem(String path) throws IOException {
        try {
            FileSystem.get(new org.apache.flink.core.fs.Path(path).toUri());
            return true;
        } catch (UnsupportedFileSystemSchemeException e) {
            return false;
        }
    }

    static String noFileSystem(String scheme) {
        String plugin = PLUGINS.get(scheme);
        String fix;
        if (scheme.equals("hdfs") || scheme.equals("viewfs")) {
            fix = "Flink reads it with Hadoop's client, which is not on the classpath (Flink's scripts add the jars"
                    + " named by HADOOP_CLASSPATH, e.g. export HADOOP_CLASSPATH=$(hadoop classpath))";
        } else {
            fix = "put " + (plugin != null ? plugin : "a Flink file-system plugin for '" + scheme + "'")
                    + " into the plugins folder, each plugin in its own subfolder (" + pluginsFolder() + ")";
        }
        return "no Flink file system for scheme '" + scheme + "': " + fix;
    }

    /** Where this process looks for plugins, as Flink's {@link PluginConfig} does. */
    private static String pluginsFolder() {
        String env = System.getenv("FLINK_PLUGINS_DIR");
        Path dir = Paths.get(env != null ? env : "plugins").toAbsolutePath().normalize();
        return env != null ? "here " + dir + ", from FLINK_PLUGINS_DIR" : "here " + dir + ": FLINK_PLUGINS_DIR is not set";
    }

    /** Loads the plugins folder into Flink's file systems once per JVM; whether it did so now. */
    private static synchronized boolean loadPluginsOnce() {
        if (pluginsLoaded) {
            return false;
        }
        pluginsLoaded = true;
        if (PluginConfig.getPluginsDir().isEmpty()) {
            return false; // nothing to load: keep the file systems as they are
        }
        Configuration conf = GlobalConfiguration.loadConfiguration();
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
        return true;
    }
}
