package io.github.flinkanndata.format.zarr;

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

/** The zarr backend, registered in {@code META-INF/services}: directory and zip stores, local or remote. */
@Internal
public final class ZarrBackend implements ContainerBackend {
    @Override
    public StoreFormat format() {
        return StoreFormat.ZARR;
    }

    @Override
    public Container open(Path path, ContainerOptions options) throws AnnDataFormatException {
        return ZarrContainer.open(path, options);
    }

    /** A zip store is read through a channel of its own: its central directory sits at the end. */
    @Override
    public Container open(RangeReader reader, ObjectInfo root, @Nullable RemoteFileChannel file,
            ContainerOptions options) throws AnnDataFormatException {
        return ZarrContainer.open(reader, root, options);
    }
}
