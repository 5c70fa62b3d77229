package io.github.flinkanndata.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which entries of a watched directory are stores ready to join, and when. */
class StoreDiscoveryTest {
    @TempDir Path dir;

    private StoreDiscovery discovery() {
        return new StoreDiscovery(List.of(dir.toString()));
    }

    private Path write(String name, int bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, new byte[bytes]);
        return p.toAbsolutePath().normalize();
    }

    @Test
    void aStoreJoinsOnceTwoListingsFoundItUnchanged() throws Exception {
        StoreDiscovery d = discovery();
        Path a = write("a.h5ad", 10);
        assertThat(d.stableNewStores(Set.of())).as("first sighting").isEmpty();
        assertThat(d.stableNewStores(Set.of())).containsExactly(a);
        assertThat(d.stableNewStores(Set.of(a))).as("known stores are not new").isEmpty();
    }

    @Test
    void onlyVisibleStoreNamesCount() throws Exception {
        StoreDiscovery d = discovery();
        write(".hidden.h5ad", 1);
        write("notes.txt", 1);
        write("x.zarr.zip.part", 1);
        Path zip = write("b.zarr.zip", 3);
        Path zarr = Files.createDirectories(dir.resolve("c.zarr")).toAbsolutePath().normalize();
        Files.createDirectories(dir.resolve("plain-directory"));
        d.stableNewStores(Set.of());
        assertThat(d.stableNewStores(Set.of())).containsExactly(zip, zarr);
    }

    @Test
    void aStoreStillBeingWrittenWaits() throws Exception {
        StoreDiscovery d = discovery();
        Path zarr = Files.createDirectories(dir.resolve("growing.zarr"));
        Files.write(zarr.resolve("zarr.json"), new byte[5]);
        assertThat(d.stableNewStores(Set.of())).isEmpty();
        Files.createDirectories(zarr.resolve("X"));
        Files.write(zarr.resolve("X").resolve("c0"), new byte[100]); // another file arrived
        assertThat(d.stableNewStores(Set.of())).as("changed since the last listing").isEmpty();
        Files.write(zarr.resolve("X").resolve("c0"), new byte[200]); // a file grew
        assertThat(d.stableNewStores(Set.of())).isEmpty();
        assertThat(d.stableNewStores(Set.of())).containsExactly(zarr.toAbsolutePath().normalize());
    }

    @Test
    void aRejectedStoreIsRetriedOnlyOnceItChanges() throws Exception {
        StoreDiscovery d = discovery();
        Path bad = write("bad.h5ad", 10);
        d.stableNewStores(Set.of());
        assertThat(d.stableNewStores(Set.of())).containsExactly(bad);
        d.reject(bad);
        assertThat(d.stableNewStores(Set.of())).isEmpty();
        assertThat(d.stableNewStores(Set.of())).isEmpty();
        Files.write(bad, new byte[20]);
        Files.setLastModifiedTime(bad, FileTime.fromMillis(Files.getLastModifiedTime(bad).toMillis() + 5000));
        assertThat(d.stableNewStores(Set.of())).as("changed: first sighting of the new form").isEmpty();
        assertThat(d.stableNewStores(Set.of())).containsExactly(bad);
    }

    @Test
    void aMissingDirectoryIsListedAgainLater() throws Exception {
        Path later = dir.resolve("later");
        StoreDiscovery d = new StoreDiscovery(List.of(later.toString()));
        assertThat(d.stableNewStores(Set.of())).isEmpty();
        Files.createDirectories(later);
        Files.write(later.resolve("s.h5ad"), new byte[1]);
        d.stableNewStores(Set.of());
        assertThat(d.stableNewStores(Set.of())).containsExactly(later.resolve("s.h5ad").toAbsolutePath().normalize());
    }

    @Test
    void storesFoundTogetherAreSortedByPath() throws Exception {
        StoreDiscovery d = discovery();
        Path z = write("z.h5ad", 1);
        Path a = write("a.h5ad", 1);
        Path m = write("m.h5ad", 1);
        d.stableNewStores(Set.of());
        assertThat(d.stableNewStores(Set.of())).containsExactly(a, m, z);
    }
}
