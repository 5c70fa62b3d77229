package io.github.flinkanndata.format.h5ad;

import static org.assertj.core.api.Assertions.assertThat;

import io.jhdf.object.datatype.ArrayDataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * jhdf 0.13 reads the dimensions of a version 2 HDF5 array datatype (all sizes, then all
 * permutation indices) as (size, index) pairs: {@code (2, 3)} comes out as {@code (2, 0)}.
 * {@link CompoundFields#arrayDimensions} recovers them for up to three dimensions (the case of a
 * pre-0.7 compound obsm field of shape (d1, d2) or (d1, d2, d3)) and refuses more; version 3
 * messages, which jhdf reads right, are kept as they are. The messages are built byte for byte.
 */
class CompoundArrayDimensionsTest {

    /** An array datatype message of int32 values with the given dimensions. */
    private static ArrayDataType array(int version, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        int values = 1;
        for (int d : dims) {
            values *= d;
        }
        b.put((byte) (version << 4 | 10)).put(new byte[3]).putInt(values * 4); // class 10: array
        b.put((byte) dims.length);
        if (version == 2) {
            b.put(new byte[3]);
        }
        for (int d : dims) {
            b.putInt(d);
        }
        if (version == 2) {
            for (int i = 0; i < dims.length; i++) {
                b.putInt(i); // permutation indices: always the identity
            }
        }
        // base type: fixed-point version 1, little-endian, signed, 4 bytes, offset 0, precision 32
        b.put((byte) 0x10).put((byte) 0x08).put(new byte[2]).putInt(4).putShort((short) 0).putShort((short) 32);
        b.flip();
        return new ArrayDataType(b);
    }

    @Test
    void jhdfMisreadsVersion2DimensionsAndTheyAreRecovered() {
        assertThat(array(2, 2, 3).getArrayTypeDimensions()).as("jhdf's own reading").containsExactly(2, 0);
        assertThat(CompoundFields.arrayDimensions(array(2, 2, 3))).containsExactly(2, 3);
        assertThat(array(2, 2, 3, 4).getArrayTypeDimensions()).containsExactly(2, 4, 1);
        assertThat(CompoundFields.arrayDimensions(array(2, 2, 3, 4))).containsExactly(2, 3, 4);
        assertThat(CompoundFields.arrayDimensions(array(2, 50))).containsExactly(50);
        assertThat(CompoundFields.arrayDimensions(array(2, 5, 1))).containsExactly(5, 1);
        assertThat(CompoundFields.arrayDimensions(array(2, 1, 7))).containsExactly(1, 7);
    }

    @Test
    void fourOrMoreVersion2DimensionsCannotBeKnown() {
        assertThat(CompoundFields.arrayDimensions(array(2, 2, 3, 4, 5))).isNull();
    }

    @Test
    void version3DimensionsAreReadRight() {
        assertThat(array(3, 2, 3).getArrayTypeDimensions()).containsExactly(2, 3);
        assertThat(CompoundFields.arrayDimensions(array(3, 2, 3))).containsExactly(2, 3);
        assertThat(CompoundFields.arrayDimensions(array(3, 2, 3, 4, 5))).containsExactly(2, 3, 4, 5);
    }
}
