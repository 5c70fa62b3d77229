package io.github.flinkanndata.format.tree;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.remote.ObjectInfo;
import io.github.flinkanndata.format.remote.RangeReader;
import io.github.flinkanndata.format.remote.RemoteFileChannel;
import java.nio.file.Path;
import javax.annotation.Nullable;

/**
 * A storage backend: opens the stores of one {@link StoreFormat}. Backends register themselves in
 * {@code META-INF/services} and are found through {@link java.util.ServiceLoader}, so that the
 * code choosing a backend by what a path is ({@code format.Containers}) depends on this interface
 * only, never on a backend. Implementations need a public no-argument constructor.
 */
@Internal
public interface ContainerBackend {

    /** The format this backend reads. */
    StoreFormat format();

    /** Opens a local store that was found to be of this format; the caller closes it. */
    Container open(Path path, ContainerOptions options) throws AnnDataFormatException;

    /**
     * Opens a remote store in place, read by ranges through {@code reader}. {@code file} is the
     * channel over a single-file store (its leading bytes already read through it, so its first
     * page is cached), null for a directory. The caller closes the container.
     */
    Container open(RangeReader reader, ObjectInfo root, @Nullable RemoteFileChannel file, ContainerOptions options)
            throws AnnDataFormatException;
}
