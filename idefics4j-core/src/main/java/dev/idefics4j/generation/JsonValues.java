package dev.idefics4j.generation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Reads one generation parameter from JSON, naming the parameter when the value has the wrong type. */
final class JsonValues {
    private final String name;
    private final JsonNode v;

    JsonValues(String name, JsonNode v) {
        this.name = name;
        this.v = v;
    }

    boolean isNull() {
        return v == null || v.isNull();
    }

    Integer optionalInt() {
        return isNull() ? null : integer();
    }

    int integer() {
        return integer(v, name);
    }

    long longValue() {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrong("an integer");
        }
        return v.longValue();
    }

    double number() {
        if (v == null || !v.isNumber()) {
            throw wrong("a number");
        }
        return v.doubleValue();
    }

    boolean bool() {
        if (v == null || !v.isBoolean()) {
            throw wrong("true or false");
        }
        return v.booleanValue();
    }

    EarlyStopping earlyStopping() {
        if (isNull()) {
            return EarlyStopping.FALSE;
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? EarlyStopping.TRUE : EarlyStopping.FALSE;
        }
        if (v.isTextual() && v.textValue().equals("never")) {
            return EarlyStopping.NEVER;
        }
        throw wrong("true, false or \"never\"");
    }

    /** An int or a list of ints (as {@code eos_token_id}). */
    int[] intOrInts() {
        if (v.isArray()) {
            return ints(v, name);
        }
        return new int[]{integer()};
    }

    /** A list of id lists (as {@code bad_words_ids}). */
    List<int[]> intLists() {
        if (!v.isArray()) {
            throw wrong("a list of token id lists");
        }
        List<int[]> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isArray()) {
                throw wrong("a list of token id lists");
            }
            out.add(ints(e, name));
        }
        return out;
    }

    /** A string or a list of strings. */
    List<String> strings() {
        if (v.isTextual()) {
            return List.of(v.textValue());
        }
        if (!v.isArray()) {
            throw wrong("a string or a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw wrong("a string or a list of strings");
            }
            out.add(e.textValue());
        }
        return out;
    }

    private static int[] ints(JsonNode array, String name) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(array.get(i), name);
        }
        return out;
    }

    private static int integer(JsonNode n, String name) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(name + " must be an integer, got " + n);
        }
        return n.intValue();
    }

    private IllegalArgumentException wrong(String expected) {
        return new IllegalArgumentException(name + " must be " + expected + ", got " + v);
    }
}
