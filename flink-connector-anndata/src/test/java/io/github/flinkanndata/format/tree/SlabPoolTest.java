package io.github.flinkanndata.format.tree;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a {@link SlabPool} hands out, when it uses an array again, and how much it keeps. */
class SlabPoolTest {

    @Test
    void anArrayIsUsedAgainOnlyAfterItsLeaseIsReleased() {
        SlabPool pool = new SlabPool(1 << 20);
        SlabPool.Lease first = pool.lease();
        int[] a = first.ints(1000);
        assertThat(a.length).isGreaterThanOrEqualTo(1000);
        SlabPool.Lease second = pool.lease();
        int[] b = second.ints(1000);
        assertThat(b).isNotSameAs(a); // a is still leased
        first.release();
        assertThat(pool.freeBytes()).isEqualTo(4L * a.length);
        assertThat(pool.lease().ints(900)).isSameAs(a);
        assertThat(pool.freeBytes()).isZero();
    }

    @Test
    void intsAndFloatsAreKeptApartAndAFarLongerArrayIsNotHandedOut() {
        SlabPool pool = new SlabPool(1 << 20);
        SlabPool.Lease lease = pool.lease();
        int[] ints = lease.ints(4000);
        lease.release();
        SlabPool.Lease next = pool.lease();
        assertThat(next.floats(4000)).hasSizeGreaterThanOrEqualTo(4000);
        assertThat(next.ints(1000)).isNotSameAs(ints); // more than twice as long as asked for
        assertThat(next.ints(3000)).isSameAs(ints);
    }

    @Test
    void thePoolKeepsAtMostItsBoundAndAReleaseCountsOnce() {
        SlabPool pool = new SlabPool(4 * 10_000);
        SlabPool.Lease lease = pool.lease();
        for (int i = 0; i < 5; i++) {
            lease.floats(3000);
        }
        lease.release();
        lease.release();
        assertThat(pool.freeBytes()).isLessThanOrEqualTo(4 * 10_000).isGreaterThan(0);
        // an array handed out by a released lease is not taken back by it
        float[] late = lease.floats(100_000);
        lease.release();
        assertThat(pool.lease().floats(100_000)).isNotSameAs(late);
    }

    @Test
    void clearDropsTheFreeArraysOnly() {
        SlabPool pool = new SlabPool(1 << 20);
        SlabPool.Lease done = pool.lease();
        int[] a = done.ints(1000);
        done.release();
        SlabPool.Lease busy = pool.lease();
        int[] b = busy.ints(5000);
        pool.clear();
        assertThat(pool.freeBytes()).isZero();
        assertThat(pool.lease().ints(1000)).isNotSameAs(a);
        busy.release();
        assertThat(pool.lease().ints(5000)).isSameAs(b);
    }
}
