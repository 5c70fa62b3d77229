package io.github.flinkanndata.format.h5ad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jhdf.exceptions.HdfFilterException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The LZF decoder on hand-made streams: sizes from the stream itself, corrupt input rejected. */
class TolerantLzfFilterTest {
    private final TolerantLzfFilter filter = new TolerantLzfFilter();

    @Test
    void literalsAndBackReferences() {
        // literal "abc" (ctrl 2), then a match of length 6 (ctrl (4 << 5) | 0, distance 3), literal
        // "z"
        byte[] stream = {2, 'a', 'b', 'c', (byte) (4 << 5), 2, 0, 'z'};
        assertThat(TolerantLzfFilter.decodedLength(stream)).isEqualTo(10);
        assertThat(
                        new String(
                                filter.decode(stream, new int[0]),
                                java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("abcabcabcz");
        // cd_values, when present, do not change the result
        assertThat(filter.decode(stream, new int[] {4, 261, 10})).hasSize(10);
    }

    @Test
    void longMatchUsesTheExtraLengthByte() {
        // literal "x", then match length 7 + 200 + 2 = 209 at distance 1
        byte[] stream = {0, 'x', (byte) (7 << 5), (byte) 200, 0};
        byte[] out = filter.decode(stream, new int[0]);
        assertThat(out).hasSize(210);
        byte[] xs = new byte[210];
        Arrays.fill(xs, (byte) 'x');
        assertThat(out).isEqualTo(xs);
    }

    @Test
    void corruptStreamsFailCleanly() {
        assertThatThrownBy(() -> filter.decode(new byte[] {5, 'a', 'b'}, new int[0]))
                .isInstanceOf(HdfFilterException.class)
                .hasMessageContaining("literal");
        assertThatThrownBy(() -> filter.decode(new byte[] {(byte) (1 << 5), 0}, new int[0]))
                .isInstanceOf(HdfFilterException.class)
                .hasMessageContaining("back reference");
        assertThatThrownBy(() -> filter.decode(new byte[] {0, 'a', (byte) (7 << 5)}, new int[0]))
                .isInstanceOf(HdfFilterException.class)
                .hasMessageContaining("truncated");
        Random rnd = new Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(junk);
            try {
                filter.decode(junk, new int[0]);
            } catch (HdfFilterException expected) {
                // the only acceptable failure
            }
        }
    }

    @Test
    void emptyInputDecodesToNothing() {
        assertThat(filter.decode(new byte[0], new int[0])).isEmpty();
    }
}
