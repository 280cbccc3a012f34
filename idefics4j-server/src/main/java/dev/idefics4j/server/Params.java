package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Typed, range-checked reads of request parameters; a bad value is an error that names the parameter. */
final class Params {
    private final JsonNode node;
    private final String prefix;

    /** @param prefix prepended to parameter names in messages ("parameters." for TGI's nested object) */
    Params(JsonNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    boolean has(String name) {
        return node.hasNonNull(name);
    }

    Integer integer(String name, int min, int max) {
        if (!has(name)) {
            return null;
        }
        JsonNode v = node.get(name);
        // canConvertToLong first: asLong() keeps the low 64 bits of a larger integer (2^64 + 1 would read as 1).
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw invalid(name, "must be an integer from " + min + " to " + max + ", got " + v);
        }
        return v.asInt();
    }

    Long longValue(String name) {
        if (!has(name)) {
            return null;
        }
        JsonNode v = node.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw invalid(name, "must be an integer, got " + v);
        }
        return v.asLong();
    }

    /** A number in [min, max]; {@code minExclusive} leaves min itself out. */
    Double number(String name, double min, boolean minExclusive, double max) {
        if (!has(name)) {
            return null;
        }
        JsonNode v = node.get(name);
        double d = v.asDouble();
        if (!v.isNumber() || d < min || (minExclusive && d == min) || d > max) {
            throw invalid(name, "must be a number " + (minExclusive ? "above " : "from ") + min + " to " + max
                    + ", got " + v);
        }
        return d;
    }

    boolean bool(String name, boolean fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode v = node.get(name);
        if (!v.isBoolean()) {
            throw invalid(name, "must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    /**
     * A string or an array of at most {@code max} strings; null when absent. Empty strings, which could stop
     * nothing, are left out (clients send {@code ""} for "none").
     */
    List<String> strings(String name, int max) {
        if (!has(name)) {
            return null;
        }
        JsonNode v = node.get(name);
        List<String> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(v.asText());
        } else if (v.isArray()) {
            for (JsonNode s : v) {
                if (!s.isTextual()) {
                    throw invalid(name, "must hold strings, got " + s);
                }
                out.add(s.asText());
            }
        } else {
            throw invalid(name, "must be a string or an array of strings, got " + v);
        }
        out.removeIf(String::isEmpty);
        if (out.size() > max) {
            throw invalid(name, "takes at most " + max + " strings, got " + out.size());
        }
        return out.isEmpty() ? null : out;
    }

    /** Refuses a feature the server does not implement unless the value leaves it off. */
    void unsupported(String name, Object off) {
        if (!has(name)) {
            return;
        }
        JsonNode v = node.get(name);
        boolean isOff = off instanceof Boolean b ? v.isBoolean() && v.asBoolean() == b
                : off instanceof Number n && v.isNumber() && v.asDouble() == n.doubleValue();
        if (!isOff) {
            throw invalid(name, "is not supported by this server (got " + v + "); leave it out");
        }
    }

    ApiError invalid(String name, String problem) {
        return ApiError.invalid(prefix + name, prefix + name + " " + problem);
    }
}
