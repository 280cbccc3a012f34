package dev.idefics4j.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Invalid JSON is described by what is wrong and where, without Jackson's redacted source. */
class JsonErrorsTest {
    private static String describe(String text) {
        return JsonErrors.describe(assertThrows(JsonProcessingException.class,
                () -> new ObjectMapper().readTree(text)));
    }

    @Test
    void whatAndWhere() {
        assertEquals("Unexpected end-of-input: expected close marker for Object (opened at line 1, column 1) "
                + "at line 1, column 8", describe("{\"a\": 1"));
        assertEquals("Unexpected character ('o' (code 111)): was expecting double-quote to start field name "
                + "at line 1, column 2", describe("{oops"));
        assertEquals("Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', "
                + "'true' or 'false') at line 2, column 5", describe("{\"a\":\n    tru}"));
    }
}
