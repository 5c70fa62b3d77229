package io.github.flinkanndata.source.split;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * A contiguous run of kept-row positions {@code [from, to)} inside one store, read with one range
 * read. Positions count the store's rows after the obs filter (see the collection's plan).
 *
 * <p>Without {@code draws} every position of the run is emitted once, in order. With {@code
 * draws} (weighted sampling) the run is read once and the positions {@code from + draws[i]} are
 * emitted in that order, repeats allowed: the enumerator drew them, so the reader needs no
 * weights. Immutable.
 *
 * @param draws offsets into the run to emit (weighted sampling), or null to emit every row once
 */
@Internal
public record Segment(int store, long from, long to, @Nullable int[] draws) implements Serializable {
    public Segment {
        if (store < 0 || from < 0 || to < from) {
            throw new IllegalArgumentException(
                    "invalid segment: store " + store + ", positions [" + from + ", " + to + ")");
        }
        if (draws != null) {
            for (int d : draws) {
                if (d < 0 || d >= to - from) {
                    throw new IllegalArgumentException(
                            "draw offset " + d + " outside segment of " + (to - from) + " rows");
                }
            }
        }
    }

    public static Segment range(int store, long from, long to) {
        return new Segment(store, from, to, null);
    }

    /** Number of samples this segment emits. */
    public int emitted() {
        return draws != null ? draws.length : Math.toIntExact(to - from);
    }

    /** Equal draws are equal arrays, not the same array. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Segment)) {
            return false;
        }
        Segment s = (Segment) o;
        return store == s.store && from == s.from && to == s.to && Arrays.equals(draws, s.draws);
    }

    @Override
    public int hashCode() {
        return Objects.hash(store, from, to) * 31 + Arrays.hashCode(draws);
    }

    @Override
    public String toString() {
        return "s" + store + "[" + from + "," + to + ")" + (draws == null ? "" : "x" + draws.length);
    }
}
