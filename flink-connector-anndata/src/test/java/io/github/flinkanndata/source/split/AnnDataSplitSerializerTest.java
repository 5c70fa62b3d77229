package io.github.flinkanndata.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Round trips and pinned bytes of {@link AnnDataSplitSerializer}.
 *
 * <p>Pinned files live in {@code src/test/resources/serializer-snapshots/} ({@link PinnedBytes}).
 * To add version N: bump the serializer, add {@code split-vN.bin} with a hand-built value and a
 * field-by-field test like {@link #readsPinnedVersion1()} (the first run writes the file; commit
 * it), and keep every older file and its test unchanged: they prove old checkpoints still load.
 */
class AnnDataSplitSerializerTest {
    private static final AnnDataSplitSerializer SERIALIZER = AnnDataSplitSerializer.INSTANCE;

    /** The value pinned in {@code split-v1.bin}: every field away from its default. */
    static AnnDataSplit pinnedSplitV1() {
        return new AnnDataSplit(3, 1_234_567_890_123L, List.of(
                        Segment.range(0, 10, 20),
                        new Segment(2, 1_000_000_000_000L, 1_000_000_000_005L, new int[] {4, 0, 0, 2}),
                        Segment.range(1, 0, 3)),
                true, 0x8000_0000_0000_0001L).withSkip(9);
    }

    /** Field-by-field check of {@link #pinnedSplitV1()}, written out literally. */
    static void assertPinnedSplitV1(AnnDataSplit s) {
        assertThat(s.epoch()).isEqualTo(3);
        assertThat(s.ordinal()).isEqualTo(1_234_567_890_123L);
        assertThat(s.splitId()).isEqualTo("e3-1234567890123");
        assertThat(s.permuted()).isTrue();
        assertThat(s.permutationSeed()).isEqualTo(0x8000_0000_0000_0001L);
        assertThat(s.skip()).isEqualTo(9);
        assertThat(s.size()).isEqualTo(17);
        List<Segment> segments = s.segments();
        assertThat(segments).hasSize(3);
        assertSegment(segments.get(0), 0, 10, 20, null);
        assertSegment(segments.get(1), 2, 1_000_000_000_000L, 1_000_000_000_005L, new int[] {4, 0, 0, 2});
        assertSegment(segments.get(2), 1, 0, 3, null);
    }

    private static void assertSegment(Segment s, int store, long from, long to, int[] draws) {
        assertThat(s.store()).isEqualTo(store);
        assertThat(s.from()).isEqualTo(from);
        assertThat(s.to()).isEqualTo(to);
        assertThat(s.draws()).isEqualTo(draws);
    }

    private static AnnDataSplit roundTrip(AnnDataSplit split) throws IOException {
        return SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(split));
    }

    @Test
    void readsPinnedVersion1() throws IOException {
        byte[] bytes = PinnedBytes.pinned("split-v1.bin", 1, SERIALIZER, pinnedSplitV1());
        assertPinnedSplitV1(SERIALIZER.deserialize(1, bytes));
    }

    /** Version 2 adds the split's place in its epoch. */
    static AnnDataSplit pinnedSplitV2() {
        return pinnedSplitV1().placed(1_000, 5_000_000_000L);
    }

    @Test
    void writesVersion2ExactlyAsPinnedWhileItIsCurrent() throws IOException {
        // a change of the written form needs a new version; version 2's bytes must not drift
        byte[] bytes = PinnedBytes.pinned("split-v2.bin", 2, SERIALIZER, pinnedSplitV2());
        assertThat(SERIALIZER.getVersion()).isEqualTo(2);
        assertThat(SERIALIZER.serialize(pinnedSplitV2())).isEqualTo(bytes);
        AnnDataSplit back = SERIALIZER.deserialize(2, bytes);
        assertPinnedSplitV1(back);
        assertThat(back.epochOffset()).isEqualTo(1_000);
        assertThat(back.epochSize()).isEqualTo(5_000_000_000L);
    }

    @Test
    void version1SplitsAreUnplaced() throws IOException {
        byte[] bytes = PinnedBytes.pinned("split-v1.bin", 1, SERIALIZER, pinnedSplitV1());
        assertThat(SERIALIZER.deserialize(1, bytes).epochOffset()).isEqualTo(AnnDataSplit.UNPLACED);
    }

    @Test
    void roundTripsSequentialShuffledAndWeightedSplits() throws IOException {
        List<AnnDataSplit> splits = List.of(
                new AnnDataSplit(0, 0, List.of(Segment.range(0, 0, 1)), false, 0),
                new AnnDataSplit(7, 12, List.of(Segment.range(4, 8192, 16384)), false, 0),
                new AnnDataSplit(1, 3, List.of(Segment.range(0, 0, 8), Segment.range(2, 16, 24),
                        Segment.range(1, 8, 13)), true, -42L),
                new AnnDataSplit(2, 0, List.of(new Segment(0, 0, 4, new int[] {3, 3, 0}),
                        new Segment(1, 100, 101, new int[] {0, 0, 0, 0})), true, Long.MIN_VALUE),
                new AnnDataSplit(Integer.MAX_VALUE, Long.MAX_VALUE, List.of(Segment.range(Integer.MAX_VALUE,
                        Long.MAX_VALUE - 5, Long.MAX_VALUE)), false, Long.MAX_VALUE));
        for (AnnDataSplit split : splits) {
            AnnDataSplit back = roundTrip(split);
            assertThat(back).isEqualTo(split).hasSameHashCodeAs(split);
            assertThat(back.splitId()).isEqualTo(split.splitId());
            assertThat(back.toString()).isEqualTo(split.toString());
        }
    }

    @Test
    void roundTripsEverySkipPosition() throws IOException {
        AnnDataSplit split = new AnnDataSplit(1, 5, List.of(Segment.range(0, 3, 7),
                new Segment(1, 0, 2, new int[] {1, 1, 0})), true, 99);
        for (int skip = 0; skip <= split.size(); skip++) {
            AnnDataSplit back = roundTrip(split.withSkip(skip));
            assertThat(back.skip()).isEqualTo(skip);
            assertThat(back).isEqualTo(split.withSkip(skip));
        }
        assertThat(split.withSkip(2)).isNotEqualTo(split);
    }

    @Test
    void version2CarriesTheSplitsPlaceInItsEpoch() throws IOException {
        AnnDataSplit split = new AnnDataSplit(2, 3, List.of(Segment.range(0, 3, 7)), true, 5).placed(40, 100);
        AnnDataSplit back = roundTrip(split.withSkip(1));
        assertThat(back.epochOffset()).isEqualTo(40);
        assertThat(back.epochSize()).isEqualTo(100);
        assertThat(back.skip()).isEqualTo(1);
        assertThat(back).isEqualTo(split.withSkip(1)).isNotEqualTo(split.withSkip(1).placed(41, 100));
        AnnDataSplit unplaced = roundTrip(new AnnDataSplit(2, 3, List.of(Segment.range(0, 3, 7)), true, 5));
        assertThat(unplaced.epochOffset()).isEqualTo(AnnDataSplit.UNPLACED);
        assertThatThrownBy(() -> split.placed(97, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot start at 97");
    }

    @Test
    void writeAndReadNestInsideOtherData() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        out.writeInt(0xCAFE);
        AnnDataSplitSerializer.write(pinnedSplitV1(), out);
        out.writeInt(0xBEEF);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(in.readInt()).isEqualTo(0xCAFE);
        assertPinnedSplitV1(AnnDataSplitSerializer.read(AnnDataSplitSerializer.CURRENT_VERSION, in));
        assertThat(in.readInt()).isEqualTo(0xBEEF);
        assertThat(in.available()).isZero();
    }

    @Test
    void rejectsUnknownVersions() throws IOException {
        byte[] bytes = SERIALIZER.serialize(pinnedSplitV1());
        for (int version : new int[] {0, 3, -1, 1000}) {
            assertThatThrownBy(() -> SERIALIZER.deserialize(version, bytes))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("unknown split serializer version " + version);
        }
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] bytes = SERIALIZER.serialize(pinnedSplitV1());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("3 trailing bytes")
                .hasMessageContaining("e3-1234567890123");
    }

    @Test
    void truncatedInputFailsWithAnIOException() throws IOException {
        byte[] bytes = SERIALIZER.serialize(pinnedSplitV1());
        for (int n = 0; n < bytes.length; n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), prefix))
                    .as("prefix of %s bytes", n).isInstanceOf(IOException.class);
        }
    }

    @Test
    void truncatedInputSaysItIsTruncated() throws IOException {
        // a bare EOFException (no message) gives the operator nothing to go on in a failed restore
        byte[] bytes = SERIALIZER.serialize(pinnedSplitV1());
        for (int n : new int[] {0, 3, 20, bytes.length - 1}) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), prefix))
                    .as("prefix of %s bytes", n)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void rejectsCorruptFields() throws IOException {
        // negative segment count
        assertCorrupt(bytes(0, 0L, false, 0L, 0, -1), "corrupt split: -1 segments");
        // zero segments
        assertCorrupt(bytes(0, 0L, false, 0L, 0, 0), "corrupt split: 0 segments");
        // segment [5, 2)
        assertCorrupt(concat(bytes(0, 0L, false, 0L, 0, 1), segment(0, 5, 2, -1)), "corrupt split");
        // draw offset outside its segment of 2 rows
        assertCorrupt(concat(bytes(0, 0L, false, 0L, 0, 1), segment(0, 0, 2, 1), ints(2)), "draw offset 2");
        // skip beyond the split's 2 samples
        assertCorrupt(concat(bytes(0, 0L, false, 0L, 3, 1), segment(0, 0, 2, -1)), "skip must be in [0, 2]");
        // negative epoch
        assertCorrupt(concat(bytes(-1, 0L, false, 0L, 0, 1), segment(0, 0, 2, -1)), "corrupt split");
        // absurd draw count: rejected before allocating
        assertCorrupt(concat(bytes(0, 0L, false, 0L, 0, 1), segment(0, 0, 2, Integer.MAX_VALUE)), "draws");
    }

    private static void assertCorrupt(byte[] bytes, String message) {
        assertThatThrownBy(() -> SERIALIZER.deserialize(1, bytes))
                .isInstanceOf(IOException.class).hasMessageContaining(message);
    }

    private static byte[] bytes(int epoch, long ordinal, boolean permuted, long seed, int skip, int segments)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(32);
        out.writeInt(epoch);
        out.writeLong(ordinal);
        out.writeBoolean(permuted);
        out.writeLong(seed);
        out.writeInt(skip);
        out.writeInt(segments);
        return out.getCopyOfBuffer();
    }

    private static byte[] segment(int store, long from, long to, int draws) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(32);
        out.writeInt(store);
        out.writeLong(from);
        out.writeLong(to);
        out.writeInt(draws);
        return out.getCopyOfBuffer();
    }

    private static byte[] ints(int... values) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        for (int v : values) {
            out.writeInt(v);
        }
        return out.getCopyOfBuffer();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
