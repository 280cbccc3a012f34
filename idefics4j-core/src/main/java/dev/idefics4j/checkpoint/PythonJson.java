package dev.idefics4j.checkpoint;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Python's {@code json.dumps}, for files and strings that must have the bytes Python writes (a bitsandbytes quant
 * state, a chat template's {@code tojson}): its separators, string escapes and float {@code repr}
 * ({@code 1e-07}, {@code 2.0}, {@code 0.4937065839767456}).
 */
public final class PythonJson {
    private PythonJson() {
    }

    /**
     * {@code json.dumps}' keywords: {@code ensure_ascii}, {@code indent} (null: one line), {@code separators} and
     * {@code sort_keys}; {@code unwrap} turns a caller's own value types into plain ones first.
     */
    public record Style(boolean ensureAscii, String indent, String itemSeparator, String keySeparator,
                        boolean sortKeys, UnaryOperator<Object> unwrap) {
        /** {@code json.dumps(x)} with every keyword at its default. */
        public static final Style DEFAULT = new Style(true, null, ", ", ": ", false, UnaryOperator.identity());
    }

    /** {@code json.dumps(value)}. */
    public static String dumps(Object value) {
        return dumps(value, Style.DEFAULT);
    }

    public static String dumps(Object value, Style style) {
        StringBuilder out = new StringBuilder();
        new Writer(out, style).value(value, 0);
        return out.toString();
    }

    /** Python's {@code repr(float)}: the shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    public static String repr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = shortest.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    private record Writer(StringBuilder out, Style style) {
        void value(Object raw, int depth) {
            Object v = style.unwrap().apply(raw);
            if (v == null) {
                out.append("null");
            } else if (v instanceof String || v instanceof Character) {
                string(v.toString());
            } else if (v instanceof Boolean b) {
                out.append(b ? "true" : "false");
            } else if (v instanceof Double || v instanceof Float) {
                out.append(repr(((Number) v).doubleValue()));
            } else if (v instanceof BigDecimal bd) {
                out.append(repr(bd.doubleValue()));
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                    || v instanceof BigInteger) {
                out.append(v);
            } else if (v instanceof Map<?, ?> map) {
                object(map, depth);
            } else if (v instanceof Map.Entry<?, ?> e) {
                array(Arrays.asList(e.getKey(), e.getValue()), depth);
            } else if (v instanceof Collection<?> c) {
                array(c, depth);
            } else {
                throw new IllegalArgumentException("Object of type " + v.getClass().getSimpleName()
                        + " is not JSON serializable");
            }
        }

        private void array(Collection<?> items, int depth) {
            if (items.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                separate(first, depth + 1);
                first = false;
                value(item, depth + 1);
            }
            close(depth);
            out.append(']');
        }

        private void object(Map<?, ?> map, int depth) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            List<Map.Entry<String, Object>> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                entries.add(new AbstractMap.SimpleImmutableEntry<>(key(e.getKey()), e.getValue()));
            }
            if (style.sortKeys()) {
                entries.sort(Map.Entry.comparingByKey());
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : entries) {
                separate(first, depth + 1);
                first = false;
                string(e.getKey());
                out.append(style.keySeparator());
                value(e.getValue(), depth + 1);
            }
            close(depth);
            out.append('}');
        }

        /** Keys become strings as Python's json does: None → "null", True → "true", numbers by repr. */
        private static String key(Object k) {
            if (k == null) {
                return "null";
            }
            if (k instanceof Boolean b) {
                return b ? "true" : "false";
            }
            if (k instanceof Double || k instanceof Float) {
                return repr(((Number) k).doubleValue());
            }
            return k.toString();
        }

        private void separate(boolean first, int depth) {
            if (!first) {
                out.append(style.itemSeparator());
            }
            if (style.indent() != null) {
                out.append('\n').append(style.indent().repeat(depth));
            }
        }

        private void close(int depth) {
            if (style.indent() != null) {
                out.append('\n').append(style.indent().repeat(depth));
            }
        }

        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20 || (style.ensureAscii() && c > 0x7f)) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
