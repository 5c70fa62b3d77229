package io.github.flinkanndata.format.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

class StoreKeysTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "..",
                "../x",
                "a/../b",
                "a/..",
                "./a",
                "a//b",
                "/a",
                "a/",
                "C:",
                "C:/x",
                "a\\b",
                "a\u0000b"
            })
    void unsafeKeys(String key) {
        assertThat(StoreKeys.problem(key)).as(key).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "a",
                "a/b/.zarray",
                "X/c/0/1",
                "..a",
                "a..",
                "a:b",
                "obs/__categories/x",
                "1.2.3"
            })
    void safeKeys(String key) {
        assertThat(StoreKeys.problem(key)).as(key).isNull();
    }

    @Test
    void codePointOrder() {
        // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit
        List<String> names =
                new ArrayList<>(List.of("\uD83D\uDE00", "\uFF5E", "b", "B", "a", "ab"));
        names.sort(StoreKeys.CODE_POINT_ORDER);
        assertThat(names).containsExactly("B", "a", "ab", "b", "\uFF5E", "\uD83D\uDE00");
    }

    @Test
    void pathHelpers() {
        assertThat(StoreKeys.join("", "a")).isEqualTo("a");
        assertThat(StoreKeys.join("a/b", "c")).isEqualTo("a/b/c");
        assertThat(StoreKeys.parent("a/b/c")).isEqualTo("a/b");
        assertThat(StoreKeys.parent("a")).isEmpty();
        assertThat(StoreKeys.name("a/b/c")).isEqualTo("c");
    }
}
