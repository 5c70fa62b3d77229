package io.github.flinkanndata.source.cache;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;

/** Registers {@link SlowFileSystem} for the {@code slowfs} scheme (test {@code META-INF/services}). */
public final class SlowFileSystemFactory implements FileSystemFactory {
    @Override
    public String getScheme() {
        return SlowFileSystem.SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
        return new SlowFileSystem();
    }
}
