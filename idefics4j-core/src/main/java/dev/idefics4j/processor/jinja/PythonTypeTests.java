package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.objects.SafeString;

import java.util.Map;

/**
 * Jinja2's {@code iterable} and {@code sequence} tests, which hold for strings and dicts too (Python can iterate and
 * index them); Jinjava's hold for Java collections only.
 */
final class PythonTypeTests {
    private PythonTypeTests() {
    }

    static ExpTest iterable() {
        return test("iterable");
    }

    static ExpTest sequence() {
        return test("sequence");
    }

    private static ExpTest test(String name) {
        return new ExpTest() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
                return var instanceof String || var instanceof SafeString || var instanceof Iterable<?>
                        || var instanceof Map<?, ?> || (var != null && var.getClass().isArray());
            }
        };
    }
}
