package io.github.flinkanndata.collection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;

/**
 * The variable join of docs/semantics.md §6: the identical-vars short-circuit, the inner intersection in
 * store 0's order, the outer left fold that sorts (by code point) once a real union happened, and
 * the per-store index arrays. Pure functions over var name lists; thread-safe.
 */
final class VarJoin {
    /** The outcome: effective join, joint list and per-store indices (null after a short-circuit). */
    record Result(Join effective, List<String> joint, @Nullable int[][] varIndices) {}

    private VarJoin() {}

    /**
     * Joins the var lists of the stores ({@code requested} is INNER or OUTER).
     *
     * @throws CollectionException when an inner join finds no shared variable, or a store has
     *     duplicate var names and the lists are not identical
     */
    static Result join(Join requested, List<List<String>> vars, List<String> paths) throws CollectionException {
        List<String> first = vars.get(0);
        boolean identical = true;
        for (List<String> v : vars) {
            identical &= v.equals(first);
        }
        if (identical) {
            // the short-circuit: duplicates are fine here, rows are returned as stored
            return new Result(Join.NONE, first, null);
        }
        if (requested == Join.INNER) {
            List<String> joint = inner(vars);
            if (joint.isEmpty()) {
                throw CollectionException.inCollection(paths,
                        "join=inner: the stores share no variables; use join=outer to keep all of them");
            }
            checkUnique(vars, paths);
            int[][] indices = new int[vars.size()][];
            for (int s = 0; s < vars.size(); s++) {
                Map<String, Integer> pos = positions(vars.get(s));
                indices[s] = joint.stream().mapToInt(pos::get).toArray();
            }
            return new Result(Join.INNER, joint, indices);
        }
        checkUnique(vars, paths);
        List<String> joint = outerFold(vars);
        Map<String, Integer> pos = positions(joint);
        int[][] indices = new int[vars.size()][];
        for (int s = 0; s < vars.size(); s++) {
            indices[s] = vars.get(s).stream().mapToInt(pos::get).toArray();
        }
        return new Result(Join.OUTER, joint, indices);
    }

    /** Store 0's names that every store has, deduplicated, in store 0's order (never sorted). */
    static List<String> inner(List<List<String>> vars) {
        List<Set<String>> sets = new ArrayList<>();
        for (List<String> v : vars) {
            sets.add(new HashSet<>(v));
        }
        Set<String> out = new LinkedHashSet<>();
        for (String name : vars.get(0)) {
            if (sets.stream().allMatch(s -> s.contains(name))) {
                out.add(name);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * The outer fold: an empty list or an equal list leaves the accumulator as it is (unsorted);
     * an empty accumulator takes the next list as it is; any other step is a sorted union.
     */
    static List<String> outerFold(List<List<String>> vars) {
        List<String> acc = vars.get(0);
        for (int k = 1; k < vars.size(); k++) {
            List<String> v = vars.get(k);
            if (v.isEmpty() || acc.equals(v)) {
                continue;
            }
            if (acc.isEmpty()) {
                acc = v;
                continue;
            }
            TreeSet<String> union = new TreeSet<>(Labels.CODE_POINT_ORDER);
            union.addAll(acc);
            union.addAll(v);
            acc = new ArrayList<>(union);
        }
        return new ArrayList<>(acc);
    }

    /** True iff the names are non-strictly increasing (decreasing) in code-point order. */
    static boolean sorted(List<String> names, boolean ascending) {
        for (int i = 1; i < names.size(); i++) {
            int c = Labels.compareCodePoints(names.get(i - 1), names.get(i));
            if (ascending ? c > 0 : c < 0) {
                return false;
            }
        }
        return true;
    }

    private static void checkUnique(List<List<String>> vars, List<String> paths) throws CollectionException {
        for (int s = 0; s < vars.size(); s++) {
            Set<String> seen = new HashSet<>();
            for (String name : vars.get(s)) {
                if (!seen.add(name)) {
                    throw CollectionException.inStore(paths.get(s), "var",
                            "duplicate var name '" + name + "'; joining stores whose variables differ"
                                    + " needs unique var names (use join=null to read rows as stored)");
                }
            }
        }
    }

    private static Map<String, Integer> positions(List<String> names) {
        Map<String, Integer> pos = new HashMap<>(names.size() * 2);
        for (int i = 0; i < names.size(); i++) {
            pos.putIfAbsent(names.get(i), i);
        }
        return pos;
    }
}
