package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.objects.SafeString;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it for chat templates:
 * {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}, each keyword overridable
 * from the template. Python's spacing ({@code ", "} and {@code ": "}; {@code ","} between items when indenting),
 * its float repr ({@code 1e-07}, {@code 1e+20}, {@code 2.0}) and its string escapes, not Jinja2's HTML-safe filter.
 */
final class PythonJson implements AdvancedFilter {
    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object[] positional = args == null ? new Object[0] : args;
        Map<String, Object> named = kwargs == null ? Map.of() : kwargs;
        // json.dumps(x, ensure_ascii, indent, separators, sort_keys) as the filter's positional order
        boolean ensureAscii = truthy(option(positional, named, 0, "ensure_ascii", false));
        String indent = indent(option(positional, named, 1, "indent", null));
        Object separators = option(positional, named, 2, "separators", null);
        boolean sortKeys = truthy(option(positional, named, 3, "sort_keys", false));
        String itemSeparator = indent == null ? ", " : ",";
        String keySeparator = ": ";
        if (separators != null) {
            if (!(separators instanceof List<?> pair) || pair.size() != 2) {
                throw new IllegalArgumentException("tojson: separators must be a pair of strings, not " + separators);
            }
            itemSeparator = String.valueOf(pair.get(0));
            keySeparator = String.valueOf(pair.get(1));
        }
        StringBuilder out = new StringBuilder();
        new Writer(out, ensureAscii, indent, itemSeparator, keySeparator, sortKeys).value(var, 0);
        return out.toString();
    }

    /** {@code json.dumps} of a value with the defaults transformers uses. */
    static String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        new Writer(out, false, null, ", ", ": ", false).value(value, 0);
        return out.toString();
    }

    private static Object option(Object[] args, Map<String, Object> kwargs, int index, String name, Object fallback) {
        if (kwargs.containsKey(name)) {
            return kwargs.get(name);
        }
        return index < args.length ? args[index] : fallback;
    }

    private static boolean truthy(Object o) {
        return o instanceof Boolean b ? b : o != null;
    }

    /** An int indent is that many spaces, a string is used as it is, None means one line. */
    private static String indent(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Number n) {
            return " ".repeat((int) Math.max(0, n.longValue()));
        }
        return o.toString();
    }

    /** Python's {@code repr(float)}: the shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String pythonFloat(double d) {
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

    private record Writer(StringBuilder out, boolean ensureAscii, String indent, String itemSeparator,
                          String keySeparator, boolean sortKeys) {
        void value(Object v, int depth) {
            if (v == null) {
                out.append("null");
            } else if (v instanceof String || v instanceof SafeString || v instanceof Character) {
                string(v.toString());
            } else if (v instanceof Boolean b) {
                out.append(b ? "true" : "false");
            } else if (v instanceof Double || v instanceof Float) {
                out.append(pythonFloat(((Number) v).doubleValue()));
            } else if (v instanceof BigDecimal bd) {
                out.append(pythonFloat(bd.doubleValue()));
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
            if (sortKeys) {
                entries.sort(Map.Entry.comparingByKey());
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : entries) {
                separate(first, depth + 1);
                first = false;
                string(e.getKey());
                out.append(keySeparator);
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
                return pythonFloat(((Number) k).doubleValue());
            }
            return k.toString();
        }

        private void separate(boolean first, int depth) {
            if (!first) {
                out.append(itemSeparator);
            }
            if (indent != null) {
                out.append('\n').append(indent.repeat(depth));
            }
        }

        private void close(int depth) {
            if (indent != null) {
                out.append('\n').append(indent.repeat(depth));
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
                        if (c < 0x20 || (ensureAscii && c > 0x7f)) {
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
