package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.GroupNode;
import io.jhdf.api.Group;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HDF5 group (or the root) as a {@link GroupNode}. Children are listed by name in code-point
 * order ({@link String#compareTo}), whatever order the file's link storage keeps.
 *
 * <p>Immutable handle; thread-safe (jhdf loads a group's links once, under its own lock).
 */
final class H5Group implements GroupNode {
    private final H5adContainer container;
    private final String path;
    private final Group group;
    private volatile List<String> children;
    private volatile Map<String, Object> attributes;

    H5Group(H5adContainer container, String path, Group group) {
        this.container = container;
        this.path = path;
        this.group = group;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String store() {
        return container.location();
    }

    @Override
    public List<String> children() throws AnnDataFormatException {
        List<String> c = children;
        if (c == null) {
            try {
                List<String> names = new ArrayList<>(group.getChildren().keySet());
                names.sort(null);
                c = List.copyOf(names);
            } catch (RuntimeException | Error e) {
                throw Failures.wrap(store(), path, "cannot list the group's members", e);
            }
            children = c;
        }
        return c;
    }

    @Override
    public Map<String, Object> attributes() throws AnnDataFormatException {
        Map<String, Object> a = attributes;
        if (a == null) {
            a = H5Attributes.read(container, path, group);
            attributes = a;
        }
        return a;
    }

    @Override
    public String toString() {
        return "H5Group{" + store() + ":" + path + "}";
    }
}
