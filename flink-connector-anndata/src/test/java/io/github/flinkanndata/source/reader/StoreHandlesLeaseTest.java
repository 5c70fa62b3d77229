package io.github.flinkanndata.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.testutil.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reader's open stores hold their resolver leases exactly as long as they are open: a store
 * closed to respect {@code maxOpenStores} releases its cached copy, closing the handles releases
 * the rest, and a store that fails to open releases its lease at once.
 */
class StoreHandlesLeaseTest {
    /** Resolves to the same local path and records which leases are open, in order. */
    private static final class CountingResolver implements StoreResolver {
        final List<String> open = new ArrayList<>();
        final List<String> resolved = new ArrayList<>();

        @Override
        public Lease resolve(String path) {
            resolved.add(path);
            open.add(path);
            Path local = Path.of(path);
            return new Lease() {
                private boolean closed;

                @Override
                public Path path() {
                    return local;
                }

                @Override
                public void close() {
                    if (!closed) {
                        closed = true;
                        open.remove(path);
                    }
                }
            };
        }
    }

    private static List<String> stores() {
        List<String> out = new ArrayList<>();
        for (String name : new String[] {"mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr"}) {
            out.add(TestData.reference().resolve("stores").resolve(name).toString());
        }
        return out;
    }

    @Test
    void leasesFollowTheOpenStores() throws Exception {
        List<String> paths = stores();
        CollectionPlan plan;
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).join("outer").build())) {
            plan = c.plan();
        }
        CountingResolver resolver = new CountingResolver();
        try (StoreHandles handles = new StoreHandles(2, resolver)) {
            handles.decoder(plan, 0);
            handles.decoder(plan, 1);
            assertThat(resolver.open).containsExactly(paths.get(0), paths.get(1));
            handles.decoder(plan, 0); // most recently used now
            handles.decoder(plan, 2);
            assertThat(resolver.open).as("store 1 was closed, so its lease released")
                    .containsExactlyInAnyOrder(paths.get(0), paths.get(2));
            assertThat(resolver.resolved).hasSize(3);
        }
        assertThat(resolver.open).as("all released on close").isEmpty();
    }

    @Test
    void aStoreThatFailsToOpenReleasesItsLease() throws Exception {
        List<String> paths = stores();
        CollectionPlan plan;
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).join("outer").build())) {
            plan = c.plan();
        }
        CountingResolver resolver = new CountingResolver();
        StoreResolver broken = path -> {
            StoreResolver.Lease real = resolver.resolve(path);
            return new StoreResolver.Lease() {
                @Override
                public Path path() {
                    return Path.of(path + ".missing");
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        };
        try (StoreHandles handles = new StoreHandles(2, broken)) {
            assertThatThrownBy(() -> handles.decoder(plan, 1)).isInstanceOf(AnnDataFormatException.class)
                    .hasMessageStartingWith("store '" + plan.store(1).path() + "'")
                    .hasMessageContaining("in its local copy").hasMessageContaining("mixed_m2_v2.zarr.missing");
            assertThat(resolver.open).isEmpty();
        }
        StoreResolver unreachable = path -> {
            throw new IOException("connection refused");
        };
        try (StoreHandles handles = new StoreHandles(2, unreachable)) {
            assertThatThrownBy(() -> handles.decoder(plan, 2)).isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining(paths.get(2)).hasMessageContaining("cannot fetch the store: connection refused");
        }
    }
}
