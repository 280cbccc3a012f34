package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;

import java.util.Map;
import java.util.Objects;

/**
 * A Jinja template rendered as transformers renders chat templates with Jinja2 ({@code _compile_jinja_template}):
 * {@code trim_blocks} and {@code lstrip_blocks}, the trailing newline of the source dropped, loop controls
 * ({@code break}, {@code continue}), the {@code generation} block, the globals {@code raise_exception} and
 * {@code strftime_now}, and {@code tojson} as {@code json.dumps}. The engine is HubSpot's Jinjava, set to Jinja2's
 * behaviour where it offers a switch (Python-style printing of lists and dicts, iterating a dict's keys, no
 * re-rendering of values that contain template syntax) and extended where it does not (Python's {@code str} methods).
 *
 * <p>Rendering is bounded: at most {@link #MAX_STEPS} steps (nodes rendered plus loop iterations),
 * {@link #MAX_OUTPUT_CHARS} characters of output or of any string, {@link #MAX_COLLECTION_SIZE} items in a list,
 * dict or {@code range}, and {@link #MAX_MACRO_DEPTH} nested macro calls. Past a limit, or on the first fatal error
 * (a syntax error, an unknown method, a {@code raise_exception}), rendering stops with a {@link TemplateException}.
 * Instances are immutable and thread-safe.
 */
public final class JinjaTemplate {
    public static final long MAX_STEPS = 2_000_000;
    public static final long MAX_OUTPUT_CHARS = 16L << 20;
    public static final int MAX_COLLECTION_SIZE = 100_000;
    public static final int MAX_MACRO_DEPTH = 100;

    private static final LegacyOverrides JINJA2 = LegacyOverrides.newBuilder()
            .withEvaluateMapKeys(true)
            .withIterateOverMapKeys(true)
            .withUsePyishObjectMapper(true)
            .withUseNaturalOperatorPrecedence(true)
            .withParseWhitespaceControlStrictly(true)
            .withAllowAdjacentTextNodes(true)
            .withUseTrimmingForNotesAndExpressions(true)
            .withKeepNullableLoopValues(true)
            .withHandleBackslashInQuotesOnly(true)
            .build();
    /** Scans the source as it is written: no whitespace taken away, so the tokens spell it exactly. */
    private static final JinjavaConfig SCANNER = JinjavaConfig.newBuilder().withLegacyOverrides(JINJA2).build();
    private static final Jinjava ENGINE = engine();

    private final String source;
    private final String origin;
    /** The source as Jinja2's lexer reads it ({@link Jinja2Source}), which is what Jinjava parses. */
    private final String prepared;

    private JinjaTemplate(String source, String origin, String prepared) {
        this.source = source;
        this.origin = origin;
        this.prepared = prepared;
    }

    /**
     * Parses a template, so that a template with unbalanced blocks or unclosed tags fails here rather than at its
     * first use. Errors inside expressions surface when rendering, as Jinjava parses expressions then.
     *
     * @param origin where the template comes from (its file), for messages
     */
    public static JinjaTemplate compile(String source, String origin) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(origin, "origin");
        String prepared;
        JinjavaInterpreter interpreter = ENGINE.newInterpreter();
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            prepared = Jinja2Source.prepare(source, SCANNER);
            interpreter.parse(prepared);
        } catch (RuntimeException e) { // Jinjava's scanner trips on some malformed tags (an empty "{%%}")
            throw new TemplateException(origin, "chat template syntax error: the template does not parse (" + e + ")",
                    String.valueOf(e.getMessage()));
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        if (!interpreter.getErrorsCopy().isEmpty()) {
            throw syntaxError(origin, interpreter.getErrorsCopy().getFirst());
        }
        return new JinjaTemplate(source, origin, prepared);
    }

    public String source() {
        return source;
    }

    public String origin() {
        return origin;
    }

    /**
     * Renders the template with these variables (Java maps, lists, strings, numbers, booleans and nulls, as JSON
     * would give them).
     *
     * @throws TemplateException on the template's own {@code raise_exception}, a fatal error or a limit
     */
    public String render(Map<String, ?> variables) {
        RenderState state = RenderState.begin(MAX_STEPS);
        RenderResult result;
        try {
            result = ENGINE.renderForResult(prepared, variables);
        } finally {
            state.end();
        }
        if (state.raised() != null) {
            throw new TemplateException(origin, "the chat template raised an error: " + state.raised(), state.raised());
        }
        if (state.exhausted()) {
            throw new TemplateException(origin, "rendering stopped after " + MAX_STEPS + " steps (nodes rendered "
                    + "and loop iterations); the template loops too long", "too many steps");
        }
        if (state.firstFatal() != null) {
            throw renderError(origin, state.firstFatal());
        }
        for (TemplateError error : result.getErrors()) {
            if (RenderState.isFatal(error)) {
                throw renderError(origin, error);
            }
        }
        return result.getOutput();
    }

    private static TemplateException syntaxError(String origin, TemplateError error) {
        String what = error.getMessage() + (error.getFieldName() == null || error.getFieldName().isEmpty() ? ""
                : " (" + error.getFieldName() + ")");
        return new TemplateException(origin, "chat template syntax error" + line(error) + ": " + what, what);
    }

    private static TemplateException renderError(String origin, TemplateError error) {
        String what = error.getMessage();
        return new TemplateException(origin, "chat template error" + line(error) + ": " + what, what);
    }

    private static String line(TemplateError error) {
        return error.getLineno() > 0 ? " at line " + error.getLineno() : "";
    }

    private static Jinjava engine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrings());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false) // applied to the source by Jinja2Source, as Jinja2 does
                .withKeepTrailingNewline(true) // the source's trailing newline is dropped by Jinja2Source
                .withLegacyOverrides(JINJA2)
                .withExecutionMode(PythonPrinting.INSTANCE)
                .withNestedInterpretationEnabled(false)
                .withElResolver(resolver)
                .withInterperterFactory(new RenderState.StoppingInterpreters())
                .withProcessors(JinjavaProcessors.newBuilder()
                        .withNodePreProcessor(new RenderState.CountingNodes()).build())
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxStringLength(MAX_OUTPUT_CHARS)
                .withMaxListSize(MAX_COLLECTION_SIZE)
                .withMaxMapSize(MAX_COLLECTION_SIZE)
                .withRangeLimit(MAX_COLLECTION_SIZE)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(MAX_MACRO_DEPTH)
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.registerFilter(new ToJsonFilter());
        jinjava.registerTag(new GenerationTag());
        jinjava.registerTag(new CountingForTag());
        jinjava.registerExpTest(PythonTypeTests.iterable());
        jinjava.registerExpTest(PythonTypeTests.sequence());
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", Object.class));
        jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class,
                "strftimeNow", String.class));
        return jinjava;
    }
}
