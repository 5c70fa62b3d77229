package io.github.flinkanndata.tools.cli;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A Flink file system for the scheme {@code anndatatest}, reading local files: {@link
 * PluginSchemeITCase} packs it as a plugin, the way flink-s3-fs-hadoop is installed. Deliberately
 * not registered as a service on the test classpath, so only the plugin provides it.
 */
public final class LocalAliasFileSystemFactory implements FileSystemFactory {
    static final String SCHEME = "anndatatest";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
        return LocalFileSystem.getSharedInstance(); // reads a path's file part whatever its scheme
    }
}
