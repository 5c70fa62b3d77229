package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.A1;
import static io.github.flinkanndata.collection.Fixtures.A2;
import static io.github.flinkanndata.collection.Fixtures.A3;
import static io.github.flinkanndata.collection.Fixtures.A4;
import static io.github.flinkanndata.collection.Fixtures.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.testutil.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Closing (docs/semantics.md §12, D12, D13): no file handle survives a closed collection or a failed
 * construction, reads after close fail, and concurrent reads agree with sequential ones.
 */
class CollectionLifecycleTest {

    private static long openFileDescriptors() throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** h5ad, zarr directory and zipped zarr stores together. */
    private static CollectionOptions mixed() {
        List<String> paths = new ArrayList<>();
        paths.add(Fixtures.store(A1).toString());
        paths.add(Fixtures.store(A2).toString());
        paths.add(TestData.realStore("anndata-archives/v0.7.8/adata.zarr.zip").toString());
        return CollectionOptions.builder(paths).join(Join.NONE).build();
    }

    @Test
    void thousandCollectionsLeaveNoFileHandleBehind() throws Exception {
        CollectionOptions options = mixed();
        try (AnnDataCollection warmUp = AnnDataCollection.open(options)) {
            warmUp.get(0); // loads classes and codecs, which may hold descriptors of their own
        }
        long before = openFileDescriptors();
        for (int i = 0; i < 1000; i++) {
            try (AnnDataCollection c = AnnDataCollection.open(options)) {
                c.get(i % c.size());
            }
        }
        long after = openFileDescriptors();
        assertThat(after).as("open descriptors before %d, after %d", before, after).isLessThanOrEqualTo(before);
    }

    @Test
    void failedConstructionsCloseWhatTheyOpened() throws Exception {
        List<CollectionOptionsBuilder> failing = List.of(
                on(A4, A2).layersKeys("layer1"), // CSC, found after both stores were opened
                on(A1, A2, A3).join(Join.INNER), // no shared variables, found last
                on(A1, A2, "does-not-exist.h5ad")); // the third store cannot be opened
        for (CollectionOptionsBuilder b : failing) {
            assertThatThrownBy(() -> AnnDataCollection.open(b.build())).isInstanceOf(Exception.class);
        }
        long before = openFileDescriptors();
        for (int i = 0; i < 200; i++) {
            for (CollectionOptionsBuilder b : failing) {
                assertThatThrownBy(() -> AnnDataCollection.open(b.build())).isInstanceOf(Exception.class);
            }
        }
        assertThat(openFileDescriptors()).isLessThanOrEqualTo(before);
    }

    @Test
    void readsAfterCloseFailAndCloseIsIdempotent() throws Exception {
        AnnDataCollection c = AnnDataCollection.open(on(A1, A2).obsKeys("feat1").build());
        c.close();
        c.close();
        assertThat(c.isClosed()).isTrue();
        assertThatThrownBy(() -> c.get(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.getRange(0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.mergedLabels("feat1")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.labelWeights(List.of("feat1"), null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.checkVarsSorted(true)).isInstanceOf(IllegalStateException.class);
        // pure plan data stays available
        assertThat(c.size()).isEqualTo(4);
        assertThat(c.plan().storeCount()).isEqualTo(2);
    }

    @Test
    void concurrentReadsAgreeWithSequentialOnes() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(on(A1, A2, A3).join(Join.OUTER).obsKeys("feat1")
                .layersKeys("X", "layer1").obsmKeys("X_pca").build())) {
            List<Sample> expected = c.getRange(0, c.size());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    final int seed = t;
                    results.add(pool.submit(() -> {
                        for (int k = 0; k < 500; k++) {
                            int g = (seed * 7 + k * 13) % (int) c.size();
                            Sample s = c.get(g);
                            if (!s.toString().equals(expected.get(g).toString())) {
                                return false;
                            }
                        }
                        return true;
                    }));
                }
                for (Future<Boolean> r : results) {
                    assertThat(r.get()).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
