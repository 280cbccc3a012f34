package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.objects.SafeString;
import dev.idefics4j.checkpoint.PythonJson;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code str()} of the values a template handles, which is what Jinja2 prints for {@code {{ value }}}:
 * {@code True}/{@code False}, floats by {@code repr}, and lists and dicts with their items by {@code repr}
 * ({@code ['a', "it's", True, None]}). A missing value prints as nothing, as Jinja2's {@code Undefined} does; Jinjava
 * cannot tell it from {@code None}, which Python would print as {@code None}.
 */
final class PythonRepr {
    private PythonRepr() {
    }

    /** {@code str(value)}, or {@code null} for a value that is not one of Python's plain types. */
    static String str(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String || value instanceof SafeString) {
            return value.toString();
        }
        StringBuilder out = new StringBuilder();
        return repr(value, out) ? out.toString() : null;
    }

    /** Appends {@code repr(value)}; false (with nothing appended) for a type Python's repr is not known for. */
    private static boolean repr(Object value, StringBuilder out) {
        if (value == null) {
            out.append("None");
        } else if (value instanceof String || value instanceof SafeString) {
            string(value.toString(), out);
        } else if (value instanceof Boolean b) {
            out.append(b ? "True" : "False");
        } else if (value instanceof Double || value instanceof Float) {
            out.append(PythonJson.repr(((Number) value).doubleValue()));
        } else if (value instanceof BigDecimal d) {
            out.append(PythonJson.repr(d.doubleValue()));
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte || value instanceof java.math.BigInteger) {
            out.append(value);
        } else if (value instanceof Map.Entry<?, ?> e) {
            out.append('(');
            repr(e.getKey(), out);
            out.append(", ");
            repr(e.getValue(), out);
            out.append(')');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                if (!repr(e.getKey(), out)) {
                    return false;
                }
                out.append(": ");
                if (!repr(e.getValue(), out)) {
                    return false;
                }
                if (it.hasNext()) {
                    out.append(", ");
                }
            }
            out.append('}');
        } else if (value instanceof Collection<?> items) {
            out.append('[');
            Iterator<?> it = items.iterator();
            while (it.hasNext()) {
                if (!repr(it.next(), out)) {
                    return false;
                }
                if (it.hasNext()) {
                    out.append(", ");
                }
            }
            out.append(']');
        } else {
            return false;
        }
        return true;
    }

    /** A string's repr: single quotes unless it holds a single quote and no double quote; escapes as Python's. */
    static void string(String s, StringBuilder out) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == ' ' || (c >= 0x20 && c < 0x7f) || (c > 0x7f && printable(c))) {
                out.appendCodePoint(c);
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", c));
            } else if (c < 0x10000) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append(String.format("\\U%08x", c));
            }
        }
        out.append(quote);
    }

    /** Python's {@code str.isprintable} for one character beyond ASCII. */
    private static boolean printable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
