package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The var names of every store, read once on first use, for the helpers of docs/semantics.md §6.6.
 * Under a join lamindb reads them at construction; without one, the first helper call reads them,
 * and from then on {@code original_shapes} shows the var counts. Thread-safe.
 */
final class VarLists {
    private final List<AnnDataStore> stores;
    private volatile boolean read;
    private List<List<String>> names;

    VarLists(List<AnnDataStore> stores, boolean readAtConstruction) {
        this.stores = stores;
        this.read = readAtConstruction; // the planner read them; they are re-read lazily if asked
    }

    /** Whether lamindb would have {@code n_vars_list} by now. */
    boolean isRead() {
        return read;
    }

    private synchronized List<List<String>> names() throws AnnDataFormatException {
        if (names == null) {
            List<List<String>> all = new ArrayList<>();
            for (AnnDataStore s : stores) {
                all.add(s.var().index());
            }
            names = all;
            read = true;
        }
        return names;
    }

    boolean sorted(boolean ascending) throws AnnDataFormatException {
        for (List<String> v : names()) {
            if (!VarJoin.sorted(v, ascending)) {
                return false;
            }
        }
        return true;
    }

    List<Integer> nonAligned(List<String> vars) throws AnnDataFormatException {
        List<Integer> out = new ArrayList<>();
        List<List<String>> all = names();
        for (int s = 0; s < all.size(); s++) {
            if (!all.get(s).equals(vars)) {
                out.add(s);
            }
        }
        return out;
    }
}
