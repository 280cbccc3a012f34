package dev.idefics4j.testing;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** Java code held in memory and compiled with the system compiler, as the README tests compile its examples. */
public final class JavaSources {
    private JavaSources() {
    }

    /** The source of the top-level class {@code className}. */
    public static JavaFileObject of(String className, String code) {
        return new SimpleJavaFileObject(URI.create("string:///" + className + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }

    /**
     * Compiles {@code sources} against {@code classPath} (with the Vector API module, as the library needs) into
     * {@code out}.
     *
     * @return the errors, one per line ({@code source:line: message}); empty when everything compiled
     */
    public static String compile(List<JavaFileObject> sources, String classPath, Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler (a JRE instead of a JDK?)");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("--add-modules", "jdk.incubator.vector", "-proc:none", "-Xlint:none",
                "-classpath", classPath, "-d", out.toString());
        boolean ok = javac.getTask(null, null, diagnostics, options, null, sources).call();
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.append(d.getSource() == null ? "" : d.getSource().getName()).append(':')
                        .append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
            }
        }
        if (!ok && errors.isEmpty()) {
            errors.append("javac failed without reporting an error\n");
        }
        return errors.toString();
    }
}
