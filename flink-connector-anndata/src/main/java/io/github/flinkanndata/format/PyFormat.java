package io.github.flinkanndata.format;

import io.github.flinkanndata.annotation.Internal;
import java.math.BigDecimal;

/**
 * Renders numbers the way Python's {@code str()} does, because AnnData (through pandas) turns
 * numeric indexes into strings that way and lamindb builds label-weight class names with it.
 *
 * <p>Written by hand because no Java library reproduces CPython's float repr: the JDK 17 {@code
 * Double.toString} is not always the shortest round-trip form and uses different exponent syntax.
 */
@Internal
public final class PyFormat {
    private PyFormat() {}

    /** {@code repr(float(v))}: shortest round-trip digits, ".0" kept, exponent below 1e-4 and from 1e16. */
    public static String floatRepr(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortest(v);
        // decimal exponent of the leading digit
        int exp = shortest.precision() - shortest.scale() - 1;
        String digits = shortest.unscaledValue().abs().toString();
        digits = stripTrailingZeros(digits);
        String sign = v < 0 ? "-" : "";
        if (exp < -4 || exp >= 16) {
            String mantissa =
                    digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String e = (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
            return sign + mantissa + "e" + e;
        }
        String plain;
        if (exp < 0) {
            plain = "0." + "0".repeat(-exp - 1) + digits;
        } else if (digits.length() <= exp + 1) {
            plain = digits + "0".repeat(exp + 1 - digits.length()) + ".0";
        } else {
            plain = digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
        }
        return sign + plain;
    }

    /** The shortest decimal that parses back to exactly {@code v}. */
    private static BigDecimal shortest(double v) {
        for (int precision = 1; precision <= 17; precision++) {
            String s = String.format(java.util.Locale.ROOT, "%." + (precision - 1) + "e", v);
            if (Double.parseDouble(s) == v) {
                return new BigDecimal(s).stripTrailingZeros();
            }
        }
        return new BigDecimal(v).stripTrailingZeros();
    }

    private static String stripTrailingZeros(String digits) {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return digits.substring(0, end);
    }

    /** Python's {@code str()} of a label value: strings as is, {@code True}/{@code False}, ints, float repr. */
    public static String str(Object value) {
        if (value instanceof Boolean) {
            return ((Boolean) value) ? "True" : "False";
        }
        if (value instanceof Double || value instanceof Float) {
            return floatRepr(((Number) value).doubleValue());
        }
        return String.valueOf(value);
    }
}
