package dev.idefics4j.tensor.quant;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(obj)} with its default settings for the few value types a bitsandbytes quant state
 * holds (strings, integers, floats, lists): {@code ", "} and {@code ": "} as separators and floats as Python's
 * {@code repr}, so that a saved quant state has the bytes bitsandbytes' {@code pack_dict_to_tensor} writes.
 */
final class PythonJson {
    private PythonJson() {
    }

    static String dumps(Map<String, ?> object) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, ?> e : object.entrySet()) {
            if (out.length() > 1) {
                out.append(", ");
            }
            string(out, e.getKey());
            out.append(": ");
            value(out, e.getValue());
        }
        return out.append('}').toString();
    }

    private static void value(StringBuilder out, Object v) {
        switch (v) {
            case String s -> string(out, s);
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Float f -> out.append(repr(f.doubleValue())); // a float32 widened, as torch's .item() gives it
            case Double d -> out.append(repr(d));
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    value(out, list.get(i));
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("no JSON form for " + v.getClass().getSimpleName());
        }
    }

    /** A string of printable ASCII (the quant state's names), quoted; anything else is escaped as ensure_ascii does. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that read back as the same double (Java's
     * {@code Double.toString} finds the same ones), written plainly for decimal exponents -4 to 15 and as
     * {@code d.ddde±XX} otherwise; json.dumps writes the non-finite values as Infinity and NaN.
     */
    static String repr(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        String sign = v < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = d.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }
}
