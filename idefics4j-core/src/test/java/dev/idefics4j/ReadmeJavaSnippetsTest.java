package dev.idefics4j;

import dev.idefics4j.testing.JavaSources;
import org.junit.jupiter.api.Test;

import javax.tools.JavaFileObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code java} example of the README compiles against this library: a whole program (a block that declares
 * a class) as it stands, its own imports only; any other block becomes the body of a method in a class of its own,
 * with the names the guide's examples take as given ({@code idefics}, an {@code image}) declared as fields that a
 * block may shadow. The shell examples are run by {@code scripts/check-readme}.
 */
class ReadmeJavaSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```");
    private static final Pattern PROGRAM = Pattern.compile("(?m)^public class (\\w+)");
    /** Compiled (and run) by idefics4j-langchain4j's ReadmeLangChain4jTest, which has LangChain4j on its class path. */
    private static final Pattern LANGCHAIN4J_SECTION = Pattern.compile("(?ms)^## Use from LangChain4j\\n.*?(?=^## )");
    private static final String IMPORTS = """
            import dev.idefics4j.*;
            import dev.idefics4j.image.*;
            import dev.idefics4j.processor.*;
            import dev.idefics4j.tensor.quant.*;
            import java.nio.file.*;
            import java.util.*;
            """;

    @Test
    void everyJavaExampleCompiles() throws IOException {
        Path readme = Path.of("..", "README.md");
        assertTrue(Files.exists(readme), "README.md not found beside the module: " + readme.toAbsolutePath());
        Matcher m = BLOCK.matcher(LANGCHAIN4J_SECTION.matcher(Files.readString(readme)).replaceAll(""));
        List<JavaFileObject> sources = new ArrayList<>();
        int programs = 0;
        while (m.find()) {
            Matcher program = PROGRAM.matcher(m.group(1));
            if (program.find()) {
                sources.add(JavaSources.of(program.group(1), m.group(1)));
                programs++;
                continue;
            }
            String name = "ReadmeSnippet" + (sources.size() + 1);
            String code = IMPORTS + "class " + name + " {\n    static Idefics idefics;\n    static ImageSource image;\n"
                    + "    static void run() throws Exception {\n" + m.group(1) + "\n    }\n}\n";
            sources.add(JavaSources.of(name, code));
        }
        assertTrue(sources.size() >= 8, "expected the guide's Java examples in the README, found " + sources.size());
        assertTrue(programs >= 1, "expected a whole program (\"Use as a library\") in the README");

        Path out = Files.createTempDirectory("readme-snippets");
        assertEquals("", JavaSources.compile(sources, Path.of("target", "classes").toString(), out),
                "README Java examples that do not compile");
    }
}
