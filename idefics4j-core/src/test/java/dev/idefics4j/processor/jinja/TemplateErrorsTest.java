package dev.idefics4j.processor.jinja;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad templates fail with the file and the reason; every rendering is bounded. */
class TemplateErrorsTest {
    private static final String FILE = "/models/x/chat_template.json";
    private static final Map<String, Object> CHAT = Map.of(
            "messages", List.of(Map.of("role", "user", "content", "hi"), Map.of("role", "user", "content", "again")),
            "add_generation_prompt", true);

    private static TemplateException failure(String source) {
        return assertThrows(TemplateException.class, () -> JinjaTemplate.compile(source, FILE).render(CHAT));
    }

    @Test
    void unclosedBlockFailsWhenParsed() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> JinjaTemplate.compile("{% for m in messages %}{{ m.role }}", FILE));
        assertEquals(FILE + ": chat template syntax error at line 1: Syntax error in '{% for m in messages %}': "
                + "Missing end tag: endfor for tag defined as: {% for m in messages %} ({% for m in messages %})",
                e.getMessage());
        assertEquals(FILE, e.origin());
    }

    @Test
    void strayEndTagAndUnclosedExpressionFailWhenParsed() {
        assertTrue(assertThrows(TemplateException.class, () -> JinjaTemplate.compile("a\n{% endif %}", FILE))
                .getMessage().startsWith(FILE + ": chat template syntax error at line 2: Missing start tag"));
        assertTrue(assertThrows(TemplateException.class, () -> JinjaTemplate.compile("{{ 'a' ", FILE))
                .getMessage().startsWith(FILE + ": chat template syntax error at line 1: Unclosed token"));
        assertTrue(assertThrows(TemplateException.class, () -> JinjaTemplate.compile("{% frobnicate %}", FILE))
                .getMessage().startsWith(FILE + ": chat template syntax error at line 1:"));
    }

    @Test
    void badExpressionFailsWhenRendered() {
        TemplateException e = failure("line 1\n{{ messages[0]['role'] + }}");
        assertTrue(e.getMessage().startsWith(FILE + ": chat template error at line 2: "), e.getMessage());
    }

    @Test
    void raiseExceptionStopsWithTheTemplatesMessage() {
        TemplateException e = failure("{% for m in messages %}{% if loop.index0 == 1 %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
                + "{% endif %}{{ m.content }}{% endfor %}");
        assertEquals("Conversation roles must alternate user/assistant/user/assistant/...", e.templateMessage());
        assertEquals(FILE + ": the chat template raised an error: "
                + "Conversation roles must alternate user/assistant/user/assistant/...", e.getMessage());
    }

    @Test
    void unknownMethodIsAnError() {
        assertTrue(failure("{{ messages[0].content.frobnicate() }}").getMessage()
                .contains("Cannot find method frobnicate"));
    }

    /** What Jinjava cannot evaluate the way Python would fails loudly rather than rendering something else. */
    @Test
    void pythonSyntaxJinjavaLacksFailsRatherThanRenderingWrongly() {
        for (String unsupported : List.of("{{ messages[::-1] | length }}", "{{ '-' * 3 }}", "{{ '%s' % 'a' }}",
                "{{ '\\u00e9' }}")) {
            assertThrows(TemplateException.class, () -> JinjaTemplate.compile(unsupported, FILE).render(CHAT),
                    unsupported);
        }
    }

    @Test
    void nestedLoopsStopAfterTheStepBudget() {
        TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> failure(
                "{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}"
                        + "{% endfor %}{% endfor %}{% endfor %}"));
        assertEquals(FILE + ": rendering stopped after " + JinjaTemplate.MAX_STEPS + " steps (nodes rendered and "
                + "loop iterations); the template loops too long", e.getMessage());
    }

    @Test
    void outputIsBounded() {
        TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> failure(
                "{% set s = '" + "x".repeat(100) + "' %}{% for i in range(100000) %}{% for j in range(100000) %}"
                        + "{{ s }}{{ s }}{{ s }}{% endfor %}{% endfor %}"));
        assertTrue(e.getMessage().contains("over limit of " + JinjaTemplate.MAX_OUTPUT_CHARS), e.getMessage());
    }

    /** The first fatal error stops the rendering; Jinjava alone would record it and run the loop to its end. */
    @Test
    void growingStringsAndListsStopAtTheirLimit() {
        TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> failure(
                "{% set s = 'x' %}{% for i in range(100000) %}{% set s = s + s %}{% endfor %}{{ s | length }}"));
        assertTrue(e.getMessage().contains("over limit of " + JinjaTemplate.MAX_OUTPUT_CHARS), e.getMessage());
        e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> failure(
                "{% set l = [1] %}{% for i in range(100000) %}{% set l = l + l %}{% endfor %}{{ l | length }}"));
        assertTrue(e.getMessage().contains("greater than the maximum size of " + JinjaTemplate.MAX_COLLECTION_SIZE),
                e.getMessage());
    }

    @Test
    void recursionIsBounded() {
        TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> failure(
                "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}"));
        assertEquals(FILE + ": chat template error at line 1: Max recursion limit of " + JinjaTemplate.MAX_MACRO_DEPTH
                + " reached for macro 'down'", e.getMessage());
    }

    @Test
    void templateSyntaxInValuesIsNotRenderedAgain() {
        Map<String, Object> vars = Map.of("messages", List.of(Map.of("role", "user",
                "content", "{{ raise_exception('x') }}{% for i in range(9) %}{{ i }}{% endfor %}")));
        assertEquals("{{ raise_exception('x') }}{% for i in range(9) %}{{ i }}{% endfor %}",
                JinjaTemplate.compile("{% for m in messages %}{{ m.content }}{% endfor %}", FILE).render(vars));
    }

    @Test
    void rendersConcurrently() throws Exception {
        JinjaTemplate t = JinjaTemplate.compile("{% for m in messages %}{{ m.role.capitalize() }}: {{ m.content }}\n"
                + "{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}", FILE);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    Map<String, Object> vars = new HashMap<>();
                    vars.put("messages", List.of(Map.of("role", "user", "content", "message " + n)));
                    vars.put("add_generation_prompt", n % 2 == 0);
                    return t.render(vars);
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals("User: message " + i + "\n" + (i % 2 == 0 ? "Assistant:" : ""), results.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
