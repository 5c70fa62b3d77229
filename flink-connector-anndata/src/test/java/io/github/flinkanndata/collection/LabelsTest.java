package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Label equality, order and rendering (docs/semantics.md §1, §8.4, §9). */
class LabelsTest {

    @Test
    void numbersAreEqualByValueAcrossTypes() {
        assertThat(Labels.equal(3L, 3.0)).isTrue();
        assertThat(Labels.equal(3, 3L)).isTrue();
        assertThat(Labels.equal(1L, true)).isTrue();
        assertThat(Labels.equal(0.0, false)).isTrue();
        assertThat(Labels.equal(-0.0, 0L)).isTrue();
        assertThat(Labels.equal(2.5, 2.5f)).isTrue();
        assertThat(Labels.equal("3", 3L)).isFalse();
        assertThat(Labels.equal(Missing.MISSING, Missing.MISSING)).isFalse();
        // exact, as in Python: 2^53 + 1 is not the double 2^53
        assertThat(Labels.equal(9007199254740993L, 9007199254740992.0)).isFalse();
        assertThat(Labels.canonical(3.0)).isEqualTo(Labels.canonical(3L));
    }

    @Test
    void stringsOrderByCodePoint() {
        String bmpMax = "\uFFFF";
        String fraktur = "\uD835\uDD0A"; // U+1D50A, above U+FFFF
        assertThat(fraktur.compareTo(bmpMax)).as("UTF-16 order").isNegative();
        assertThat(Labels.compareCodePoints(fraktur, bmpMax)).as("code-point order").isPositive();
        List<String> names = new ArrayList<>(List.of("a", "B", "A", "c", "b", "Ｇ21", "𝔊12", "3", "1"));
        names.sort(Labels.CODE_POINT_ORDER);
        assertThat(names).containsExactly("1", "3", "A", "B", "a", "b", "c", "Ｇ21", "𝔊12");
        assertThat(Labels.compareCodePoints("ab", "abc")).isNegative();
        assertThat(Labels.compareCodePoints("a\uD835\uDD0A", "a\uD835\uDD0B")).isNegative();
    }

    @Test
    void numbersOrderByValueAndMixingIsAnError() {
        List<Object> labels = new ArrayList<>(List.of(3L, 2.5, true, -1L, false, 1e300));
        labels.sort(Labels.LABEL_ORDER);
        assertThat(labels).containsExactly(-1L, false, true, 2.5, 3L, 1e300);
        assertThat(Labels.compare(9007199254740993L, 9007199254740992.0)).isPositive();
        assertThatThrownBy(() -> Labels.compare("a", 1L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Labels.compare(Missing.MISSING, 1L)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void float32LabelsRenderWithTheirShortestDigits() {
        assertThat(LabelStrings.float32Repr(0.1f)).isEqualTo("0.1");
        assertThat(LabelStrings.float32Repr(1e-5f)).isEqualTo("1e-05");
        assertThat(LabelStrings.float32Repr(3f)).isEqualTo("3.0");
        assertThat(LabelStrings.float32Repr(16777216f)).isEqualTo("16777216.0");
        assertThat(LabelStrings.float32Repr(1e16f)).isEqualTo("1e+16");
    }

    @Test
    void renderingFollowsNumpyPromotion() {
        LabelStrings.ArrayKind f64 = LabelStrings.promote(List.of(LabelStrings.ArrayKind.INT, LabelStrings.ArrayKind.FLOAT64));
        assertThat(f64).isEqualTo(LabelStrings.ArrayKind.FLOAT64);
        assertThat(LabelStrings.render(3L, f64, io.github.flinkanndata.format.tree.DataType.INT64)).isEqualTo("3.0");
        LabelStrings.ArrayKind ints = LabelStrings.promote(List.of(LabelStrings.ArrayKind.BOOL, LabelStrings.ArrayKind.INT));
        assertThat(LabelStrings.render(true, ints, io.github.flinkanndata.format.tree.DataType.BOOL)).isEqualTo("1");
        LabelStrings.ArrayKind obj = LabelStrings.promote(List.of(LabelStrings.ArrayKind.OBJECT, LabelStrings.ArrayKind.FLOAT64));
        assertThat(LabelStrings.render(3L, obj, io.github.flinkanndata.format.tree.DataType.INT64)).isEqualTo("3");
        assertThat(LabelStrings.render(true, obj, io.github.flinkanndata.format.tree.DataType.BOOL)).isEqualTo("True");
        assertThat(LabelStrings.render(Missing.MISSING, obj, null)).isEqualTo("nan");
        assertThat(LabelStrings.render(0.1f * 1.0, LabelStrings.ArrayKind.FLOAT32, io.github.flinkanndata.format.tree.DataType.FLOAT32))
                .isEqualTo("0.1");
    }

    @Test
    void anEncoderMapsEqualLabelsToOneCode() {
        LabelEncoder e = LabelEncoder.build("k", List.of(1L, 2.5, 3L), 3.0);
        assertThat(e.asMap()).containsExactly(java.util.Map.entry(3.0, -1), java.util.Map.entry(1L, 0),
                java.util.Map.entry(2.5, 1));
        assertThat(e.code(true)).isEqualTo(0);
        assertThat(e.code(3)).isEqualTo(-1);
        assertThat(e.code(Missing.MISSING)).isNull();
        assertThat(e.code("3")).isNull();
    }
}
