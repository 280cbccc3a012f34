package dev.idefics4j.langchain4j;

import dev.idefics4j.testing.JavaSources;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import javax.tools.JavaFileObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Use from LangChain4j" cannot rot: each of its {@code java} blocks compiles against this module and
 * LangChain4j (a whole program as it stands; a snippet as a method body with a {@code model} and an {@code image} in
 * scope), and the program runs on the tiny model and prints what the facade answers. Core's README test leaves this
 * section to this one, which has LangChain4j on its class path.
 */
class ReadmeLangChain4jTest {
    private static final Pattern SECTION = Pattern.compile("(?ms)^## Use from LangChain4j\\n(.*?)(?=^## )");
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```");
    private static final Pattern PROGRAM = Pattern.compile("(?m)^public class (\\w+)");
    private static final String SNIPPET_IMPORTS = """
            import dev.idefics4j.langchain4j.*;
            import dev.langchain4j.data.message.ImageContent;
            import dev.langchain4j.model.chat.ChatModel;
            import dev.langchain4j.service.*;
            """;

    @Test
    void theSectionsJavaCompilesAndTheProgramAnswersAsTheFacade() throws Exception {
        Path readme = Path.of("..", "README.md");
        Matcher section = SECTION.matcher(Files.readString(readme));
        assertTrue(section.find(), "no \"## Use from LangChain4j\" section in " + readme.toAbsolutePath());
        Matcher m = BLOCK.matcher(section.group(1));
        List<JavaFileObject> sources = new ArrayList<>();
        String program = null;
        while (m.find()) {
            Matcher p = PROGRAM.matcher(m.group(1));
            if (p.find()) {
                assertTrue(program == null, "one whole program expected");
                program = p.group(1);
                sources.add(JavaSources.of(program, m.group(1)));
            } else {
                String name = "ReadmeLangChain4jSnippet" + sources.size();
                sources.add(JavaSources.of(name, SNIPPET_IMPORTS + "class " + name + " {\n    static ChatModel model;\n"
                        + "    static ImageContent image;\n    static void run() {\n" + m.group(1) + "\n    }\n}\n"));
            }
        }
        assertNotNull(program, "the section's whole program");
        assertTrue(sources.size() >= 2, "the program and the AI service snippet, found " + sources.size());

        Path out = Files.createTempDirectory("readme-langchain4j");
        assertEquals("", JavaSources.compile(sources, classPath(), out), "README Java examples that do not compile");
        String printed = run(out, program, TestData.model("tiny").toString(),
                Reference.image("cat_rgb_97x61.jpg").toString());
        String want = Reference.answer(Reference.turn("What is in this image?", "cat_rgb_97x61.jpg"),
                Map.of("max_new_tokens", 64));
        assertEquals(want + System.lineSeparator(), printed);
    }

    /** The test class path (Surefire's own, which it also names in a property when it runs from a manifest jar). */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Runs the program's {@code main} in this JVM and returns what it printed. */
    private static String run(Path classes, String program, String... args) throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()},
                ReadmeLangChain4jTest.class.getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass(program).getMethod("main", String[].class).invoke(null, (Object) args);
        } finally {
            System.setOut(stdout);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }
}
