package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.SampleDecoder;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stores one reader has open, with their decoders: opened on first use (lamindb's
 * worker-init pattern: each reader has its own persistent handles), at most {@code maxOpen} at a
 * time, least recently used closed first. Each open store holds its resolver lease, so a cached
 * copy of a remote store is not evicted while it is open. Used by the fetcher thread only.
 */
@Internal
final class StoreHandles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreHandles.class);

    private final int maxOpen;
    private final StoreResolver resolver;
    private final LinkedHashMap<Integer, Open> open = new LinkedHashMap<>(16, 0.75f, true);

    private record Open(AnnDataStore store, SampleDecoder decoder, StoreResolver.Lease lease) {
        void close() {
            closeQuietly(store);
            lease.close();
        }
    }

    StoreHandles(int maxOpen, StoreResolver resolver) {
        this.maxOpen = maxOpen;
        this.resolver = resolver;
    }

    SampleDecoder decoder(CollectionPlan plan, int storeIndex) throws AnnDataFormatException {
        Open o = open.get(storeIndex);
        if (o == null) {
            String path = plan.store(storeIndex).path();
            StoreResolver.Lease lease = resolver.lease(path);
            AnnDataStore store = null;
            try {
                store = StoreResolver.open(path, lease, plan.options().containerOptions());
                o = new Open(store, SampleDecoder.create(plan, storeIndex, store), lease);
            } catch (AnnDataFormatException | RuntimeException e) {
                if (store != null) {
                    closeQuietly(store);
                }
                lease.close();
                throw e;
            }
            open.put(storeIndex, o);
            evict();
        }
        return o.decoder;
    }

    private void evict() {
        Iterator<Map.Entry<Integer, Open>> it = open.entrySet().iterator();
        while (open.size() > maxOpen && it.hasNext()) {
            Open eldest = it.next().getValue();
            it.remove();
            eldest.close();
        }
    }

    private static void closeQuietly(AnnDataStore store) {
        try {
            store.close();
        } catch (IOException e) {
            LOG.warn("closing {} failed", store.location(), e);
        }
    }

    @Override
    public void close() {
        for (Open o : open.values()) {
            o.close();
        }
        open.clear();
    }
}
