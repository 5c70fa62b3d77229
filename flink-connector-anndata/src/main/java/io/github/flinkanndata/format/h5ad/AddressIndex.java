package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps object-header addresses to paths, to resolve HDF5 object references.
 *
 * <p>Why: anndata 0.7 points a categorical column at its categories with an object reference, which
 * jhdf returns as a file address. {@code HdfFile#getNodeByAddress} finds the object but names it
 * {@code __ADDRESS__<n>}, and the AnnData layer needs the real path. The index is built by one walk
 * of the tree, on the first reference resolved, and then kept for the container's life. Where hard
 * links give an object several paths, the first in sorted walk order wins.
 *
 * <p>Thread-safe: the walk runs once under a lock; the finished map is read without one.
 */
final class AddressIndex {
    private final String store;
    private final Group root;
    private volatile Map<Long, String> paths;

    AddressIndex(String store, Group root) {
        this.store = store;
        this.root = root;
    }

    /** The path (no leading slash) of the object whose header is at {@code address}. */
    String pathOf(long address) throws AnnDataFormatException {
        String path = index().get(address);
        if (path == null) {
            throw new AnnDataFormatException(
                    store,
                    null,
                    "object reference to address "
                            + address
                            + " points at no group or dataset of the file");
        }
        return path;
    }

    private Map<Long, String> index() throws AnnDataFormatException {
        Map<Long, String> p = paths;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (paths == null) {
                Map<Long, String> built = new HashMap<>();
                try {
                    built.put(root.getAddress(), "");
                    walk(root, "", built, new HashSet<>());
                } catch (RuntimeException | Error e) {
                    throw Failures.wrap(store, null, "cannot index object addresses", e);
                }
                paths = built;
            }
            return paths;
        }
    }

    private static void walk(Group group, String prefix, Map<Long, String> out, Set<Long> visited) {
        if (!visited.add(group.getAddress())) {
            return; // hard links can make the group graph cyclic
        }
        List<String> names = new ArrayList<>(group.getChildren().keySet());
        names.sort(null);
        for (String name : names) {
            Node child = group.getChild(name);
            if (child == null || child.isLink()) {
                continue; // soft and external links are not objects of their own
            }
            String path = prefix.isEmpty() ? name : prefix + "/" + name;
            out.putIfAbsent(child.getAddress(), path);
            if (child instanceof Group) {
                walk((Group) child, path, out, visited);
            }
        }
    }
}
