package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.remote.ObjectInfo;
import io.github.flinkanndata.format.remote.RangeReader;
import io.github.flinkanndata.format.remote.RemoteFileChannel;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerBackend;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.StoreFormat;
import java.nio.file.Path;
import javax.annotation.Nullable;

/** The h5ad backend, registered in {@code META-INF/services}: HDF5 files, local or remote. */
@Internal
public final class H5adBackend implements ContainerBackend {
    @Override
    public StoreFormat format() {
        return StoreFormat.H5AD;
    }

    @Override
    public Container open(Path path, ContainerOptions options) throws AnnDataFormatException {
        return H5adContainer.open(path, options);
    }

    @Override
    public Container open(RangeReader reader, ObjectInfo root, @Nullable RemoteFileChannel file,
            ContainerOptions options) throws AnnDataFormatException {
        if (file == null) {
            throw new AnnDataFormatException(reader.location(), null, "an HDF5 store is a file, not a directory");
        }
        return H5adContainer.open(file, reader.location(), options);
    }
}
