package dev.idefics4j;

import org.junit.jupiter.api.Test;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        Matcher m = BLOCK.matcher(Files.readString(readme));
        List<JavaFileObject> sources = new ArrayList<>();
        int programs = 0;
        while (m.find()) {
            Matcher program = PROGRAM.matcher(m.group(1));
            if (program.find()) {
                sources.add(new Source(program.group(1), m.group(1)));
                programs++;
                continue;
            }
            String name = "ReadmeSnippet" + (sources.size() + 1);
            String code = IMPORTS + "class " + name + " {\n    static Idefics idefics;\n    static ImageSource image;\n"
                    + "    static void run() throws Exception {\n" + m.group(1) + "\n    }\n}\n";
            sources.add(new Source(name, code));
        }
        assertTrue(sources.size() >= 8, "expected the guide's Java examples in the README, found " + sources.size());
        assertTrue(programs >= 1, "expected a whole program (\"Use as a library\") in the README");

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler (a JRE instead of a JDK?)");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("readme-snippets");
        List<String> options = List.of("--add-modules", "jdk.incubator.vector", "-proc:none", "-Xlint:none",
                "-classpath", Path.of("target", "classes").toString(), "-d", out.toString());
        boolean ok = javac.getTask(null, null, diagnostics, options, null, sources).call();
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.append(d.getSource() == null ? "" : d.getSource().getName()).append(':')
                        .append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
            }
        }
        assertEquals("", errors.toString(), "README Java examples that do not compile");
        assertTrue(ok);
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String name, String code) {
            super(URI.create("string:///" + name + ".java"), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
