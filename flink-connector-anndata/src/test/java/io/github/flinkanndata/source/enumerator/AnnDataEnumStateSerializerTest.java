package io.github.flinkanndata.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.AnnDataSplitSerializer;
import io.github.flinkanndata.source.split.PinnedBytes;
import io.github.flinkanndata.source.split.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Round trips and pinned bytes of {@link AnnDataEnumStateSerializer} (version 1 written before
 * growing collections, version 2 with their fields).
 *
 * <p>Pinned files live in {@code src/test/resources/serializer-snapshots/} ({@link PinnedBytes}).
 * To add version N: bump the serializer, add {@code enum-state-vN.bin} with a hand-built value and
 * a field-by-field test like {@link #readsPinnedVersion1()} (the first run writes the file; commit
 * it), and keep every older file and its test unchanged: they prove old checkpoints still load.
 */
class AnnDataEnumStateSerializerTest {
    private static final AnnDataEnumStateSerializer SERIALIZER = new AnnDataEnumStateSerializer();

    /** Opaque to this serializer: any bytes, including non-ASCII and 0x00 / 0xFF. */
    private static final byte[] PLAN = concat("PLAN v1 \u00e4\u00f6\u00fc \u4e8c".getBytes(StandardCharsets.UTF_8),
            new byte[] {0, (byte) 0xFF, (byte) 0x80, 0x7F});

    private static AnnDataSplit returnedWithDraws() {
        return new AnnDataSplit(2, 40, List.of(Segment.range(1, 256, 512),
                new Segment(0, 0, 8, new int[] {7, 7, 1})), true, -9L).withSkip(100);
    }

    private static AnnDataSplit returnedSequential() {
        return new AnnDataSplit(1, 0, List.of(Segment.range(3, 0, 5)), false, 0);
    }

    /** The value pinned in {@code enum-state-v1.bin}. */
    static AnnDataEnumState pinnedStateV1() {
        return new AnnDataEnumState(PLAN, 2, 41, List.of(returnedWithDraws(), returnedSequential()));
    }

    private static AnnDataEnumState roundTrip(AnnDataEnumState state) throws IOException {
        return SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(state));
    }

    private static void assertSameState(AnnDataEnumState actual, AnnDataEnumState expected) {
        assertThat(actual.plan()).isEqualTo(expected.plan());
        assertThat(actual.epoch()).isEqualTo(expected.epoch());
        assertThat(actual.cursor()).isEqualTo(expected.cursor());
        assertThat(actual.returned()).containsExactlyElementsOf(expected.returned());
    }

    @Test
    void readsPinnedVersion1() throws IOException {
        byte[] bytes = PinnedBytes.pinned("enum-state-v1.bin", 1, SERIALIZER, pinnedStateV1());
        AnnDataEnumState s = SERIALIZER.deserialize(1, bytes);
        assertThat(s.plan()).isEqualTo(concat("PLAN v1 \u00e4\u00f6\u00fc \u4e8c".getBytes(StandardCharsets.UTF_8),
                new byte[] {0, (byte) 0xFF, (byte) 0x80, 0x7F}));
        assertThat(s.epoch()).isEqualTo(2);
        assertThat(s.cursor()).isEqualTo(41);
        assertThat(s.returned()).hasSize(2);

        AnnDataSplit first = s.returned().get(0);
        assertThat(first.epoch()).isEqualTo(2);
        assertThat(first.ordinal()).isEqualTo(40);
        assertThat(first.permuted()).isTrue();
        assertThat(first.permutationSeed()).isEqualTo(-9L);
        assertThat(first.skip()).isEqualTo(100);
        assertThat(first.segments()).hasSize(2);
        assertThat(first.segments().get(0).store()).isEqualTo(1);
        assertThat(first.segments().get(0).from()).isEqualTo(256);
        assertThat(first.segments().get(0).to()).isEqualTo(512);
        assertThat(first.segments().get(0).draws()).isNull();
        assertThat(first.segments().get(1).store()).isZero();
        assertThat(first.segments().get(1).from()).isZero();
        assertThat(first.segments().get(1).to()).isEqualTo(8);
        assertThat(first.segments().get(1).draws()).containsExactly(7, 7, 1);

        AnnDataSplit second = s.returned().get(1);
        assertThat(second.splitId()).isEqualTo("e1-0");
        assertThat(second.permuted()).isFalse();
        assertThat(second.permutationSeed()).isZero();
        assertThat(second.skip()).isZero();
        assertThat(second.segments()).hasSize(1);
        assertThat(second.segments().get(0).store()).isEqualTo(3);
        assertThat(second.segments().get(0).from()).isZero();
        assertThat(second.segments().get(0).to()).isEqualTo(5);
        assertThat(second.segments().get(0).draws()).isNull();
    }

    @Test
    void version1StatesReadAsEveryStoreActiveAndNoGeneDropped() throws IOException {
        AnnDataEnumState s = SERIALIZER.deserialize(1, PinnedBytes.pinned("enum-state-v1.bin", 1, SERIALIZER,
                pinnedStateV1()));
        assertThat(s.activeStores()).isEqualTo(AnnDataEnumState.ALL_STORES);
        assertThat(s.droppedGenes()).isZero();
    }

    /** The value pinned in {@code enum-state-v2.bin}: a growing collection sampling 3 stores. */
    static AnnDataEnumState pinnedStateV2() {
        return new AnnDataEnumState(PLAN, 4, 7, List.of(returnedSequential()), 3, 260);
    }

    @Test
    void readsPinnedVersion2() throws IOException {
        byte[] bytes = PinnedBytes.pinned("enum-state-v2.bin", 2, SERIALIZER, pinnedStateV2());
        AnnDataEnumState s = SERIALIZER.deserialize(2, bytes);
        assertThat(s.plan()).isEqualTo(concat("PLAN v1 \u00e4\u00f6\u00fc \u4e8c".getBytes(StandardCharsets.UTF_8),
                new byte[] {0, (byte) 0xFF, (byte) 0x80, 0x7F}));
        assertThat(s.epoch()).isEqualTo(4);
        assertThat(s.cursor()).isEqualTo(7);
        assertThat(s.returned()).hasSize(1);
        assertThat(s.returned().get(0).splitId()).isEqualTo("e1-0");
        assertThat(s.returned().get(0).segments().get(0).store()).isEqualTo(3);
        assertThat(s.activeStores()).isEqualTo(3);
        assertThat(s.droppedGenes()).isEqualTo(260);
    }

    /**
     * Version 2's form with its splits at split serializer version 2 (which adds a split's place in
     * its epoch): the state records the split version it nests, so enum-state-v2.bin (splits at
     * version 1) stays readable above, and this file pins what is written now.
     */
    @Test
    void writesVersion2ExactlyAsPinnedWhileItIsCurrent() throws IOException {
        byte[] bytes = PinnedBytes.pinned("enum-state-v2-splits-v2.bin", 2, SERIALIZER, pinnedStateV2());
        assertThat(SERIALIZER.getVersion()).isEqualTo(2);
        assertThat(SERIALIZER.serialize(pinnedStateV2())).isEqualTo(bytes);
        assertThat(SERIALIZER.deserialize(2, bytes).returned()).isEqualTo(pinnedStateV2().returned());
    }

    @Test
    void roundTripsGrowthFields() throws IOException {
        for (AnnDataEnumState state : List.of(pinnedStateV2(),
                new AnnDataEnumState(PLAN, 0, 0, List.of(), 0, 0),
                new AnnDataEnumState(PLAN, 1, 2, List.of(), AnnDataEnumState.ALL_STORES, Long.MAX_VALUE))) {
            AnnDataEnumState back = roundTrip(state);
            assertSameState(back, state);
            assertThat(back.activeStores()).isEqualTo(state.activeStores());
            assertThat(back.droppedGenes()).isEqualTo(state.droppedGenes());
        }
    }

    @Test
    void rejectsCorruptGrowthFields() throws IOException {
        byte[] bytes = SERIALIZER.serialize(new AnnDataEnumState(null, 0, 0, List.of(), 2, 5));
        byte[] active = bytes.clone();
        ByteBuffer.wrap(active).putInt(bytes.length - 12, -7);
        assertThatThrownBy(() -> SERIALIZER.deserialize(2, active)).isInstanceOf(IOException.class)
                .hasMessageContaining("-7 active stores");
        byte[] dropped = bytes.clone();
        ByteBuffer.wrap(dropped).putLong(bytes.length - 8, -1);
        assertThatThrownBy(() -> SERIALIZER.deserialize(2, dropped)).isInstanceOf(IOException.class)
                .hasMessageContaining("-1 dropped genes");
        // a version 2 state read as version 1 has 12 bytes too many
        assertThatThrownBy(() -> SERIALIZER.deserialize(1, bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("12 trailing bytes");
    }

    @Test
    void roundTripsStatesWithAndWithoutPlan() throws IOException {
        List<AnnDataEnumState> states = List.of(
                AnnDataEnumState.initial(),
                new AnnDataEnumState(null, 0, 0, List.of(returnedSequential(), returnedWithDraws())),
                new AnnDataEnumState(new byte[0], 0, 0, List.of()),
                new AnnDataEnumState(PLAN, 5, 3, List.of()),
                pinnedStateV1(),
                new AnnDataEnumState(PLAN, Integer.MAX_VALUE, Long.MAX_VALUE, List.of(returnedWithDraws())));
        for (AnnDataEnumState state : states) {
            assertSameState(roundTrip(state), state);
        }
        assertThat(roundTrip(AnnDataEnumState.initial()).plan()).isNull();
        assertThat(roundTrip(new AnnDataEnumState(new byte[0], 0, 0, List.of())).plan()).isEmpty();
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        byte[] bytes = SERIALIZER.serialize(pinnedStateV1());
        bytes[0] ^= 0x55;
        assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not an AnnData enumerator state");
        // a split's bytes handed to the state serializer
        byte[] split = AnnDataSplitSerializer.INSTANCE.serialize(returnedSequential());
        assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), split))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("magic");
    }

    @Test
    void rejectsUnknownVersions() throws IOException {
        byte[] bytes = SERIALIZER.serialize(pinnedStateV1());
        for (int version : new int[] {0, 3, -1}) {
            assertThatThrownBy(() -> SERIALIZER.deserialize(version, bytes))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("unknown enumerator state version " + version);
        }
    }

    @Test
    void rejectsUnknownNestedSplitVersion() throws IOException {
        byte[] bytes = SERIALIZER.serialize(pinnedStateV1());
        ByteBuffer.wrap(bytes).putInt(4, 77); // the nested split serializer version follows the magic
        assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown split serializer version 77");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] bytes = SERIALIZER.serialize(pinnedStateV1());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1 trailing bytes");
    }

    @Test
    void rejectsCorruptCounts() throws IOException {
        byte[] plan = SERIALIZER.serialize(pinnedStateV1());
        ByteBuffer.wrap(plan).putInt(8, -2); // plan length
        assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), plan))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("plan of -2 bytes");

        byte[] epoch = SERIALIZER.serialize(new AnnDataEnumState(null, 0, 0, List.of()));
        ByteBuffer.wrap(epoch).putInt(12, -1); // epoch, after magic, split version, plan length -1
        assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), epoch))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("epoch -1");

        byte[] count = SERIALIZER.serialize(new AnnDataEnumState(null, 0, 0, List.of()));
        ByteBuffer.wrap(count).putInt(24, -5); // returned split count, after the cursor
        assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), count))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("-5 returned splits");
    }

    @Test
    void truncatedInputFailsWithAnIOException() throws IOException {
        byte[] bytes = SERIALIZER.serialize(pinnedStateV1());
        for (int n = 0; n < bytes.length; n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), prefix))
                    .as("prefix of %s bytes", n).isInstanceOf(IOException.class);
        }
    }

    @Test
    void truncatedInputSaysItIsTruncated() throws IOException {
        // a bare EOFException (no message) gives the operator nothing to go on in a failed restore
        byte[] bytes = SERIALIZER.serialize(pinnedStateV1());
        for (int n : new int[] {0, 2, 10, 30, bytes.length - 1}) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> SERIALIZER.deserialize(SERIALIZER.getVersion(), prefix))
                    .as("prefix of %s bytes", n)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("truncated");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
