package io.github.flinkanndata.format.h5ad;

import io.jhdf.filter.FilterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers our HDF5 filters with jhdf's global {@link FilterManager}, once per JVM, before the
 * first file is opened: the tolerant LZF filter replaces jhdf's (same id 32000), zstd and blosc add
 * what jhdf lacks.
 *
 * <p>The registry is process-wide: other jhdf users in the same JVM get these filters too. They
 * decode a superset of what the built-in LZF filter decodes, so that is harmless. Registration is
 * synchronized; jhdf reads its registry without a lock, which is safe because we write it only
 * before our first file is opened.
 */
final class H5Filters {
    private static final Logger LOG = LoggerFactory.getLogger(H5Filters.class);
    private static boolean registered;

    private H5Filters() {}

    static synchronized void registerOnce() {
        if (registered) {
            return;
        }
        FilterManager.addFilter(new TolerantLzfFilter());
        FilterManager.addFilter(new ZstdFilter());
        FilterManager.addFilter(new BloscFilter());
        registered = true;
        LOG.debug("registered HDF5 filters lzf (tolerant), zstd, blosc with jhdf");
    }
}
