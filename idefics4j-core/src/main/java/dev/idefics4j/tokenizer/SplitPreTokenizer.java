package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * tokenizers' {@code Split} pre-tokenizer: the text is cut into the spans a pattern matches and the spans between them,
 * which the {@link SplitDelimiterBehavior} turns into pieces ({@code invert} swaps what counts as a match); also the
 * regex step of {@link ByteLevel}.
 *
 * <p>tokenizers compiles patterns with Oniguruma; java.util.regex reads the same syntax for the patterns tokenizer
 * files use ({@code \p{L}}, {@code \p{N}}, {@code (?i:...)}, lookahead), given Unicode semantics for {@code \s},
 * {@code \w}, {@code \d} and case folding, {@code ^}/{@code $} at line boundaries and {@code \n} as the only line
 * terminator, as in Oniguruma. GPT-2's and Llama 3's regexes are matched by hand ({@link TilingPattern}); both
 * also match in linear time through java.util.regex, since none of their alternatives gives back more than one run.
 */
final class SplitPreTokenizer implements PreTokenizer {
    private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS | Pattern.MULTILINE | Pattern.UNIX_LINES;

    private final Pattern pattern;
    /** The hand-written matcher of the pattern, or {@code null}. */
    private final TilingPattern tiling;
    private final SplitDelimiterBehavior behavior;
    private final boolean invert;

    SplitPreTokenizer(Pattern pattern, SplitDelimiterBehavior behavior, boolean invert) {
        this.pattern = pattern;
        this.tiling = (pattern.flags() & FLAGS) == FLAGS ? TilingPattern.of(pattern.pattern()) : null;
        this.behavior = behavior;
        this.invert = invert;
    }

    static SplitPreTokenizer parse(JsonNode node, Path file) {
        JsonNode p = JsonFiles.require(node, "pattern", file);
        Pattern pattern;
        if (p.path("Regex").isTextual()) {
            pattern = compile(p.get("Regex").asText(), file);
        } else if (p.path("String").isTextual()) {
            pattern = Pattern.compile(Pattern.quote(p.get("String").asText()));
        } else {
            throw new TokenizerException(file + ": Split pattern must be {\"Regex\": ...} or {\"String\": ...}");
        }
        return new SplitPreTokenizer(pattern,
                SplitDelimiterBehavior.parse(JsonFiles.text(node, "behavior", file), file),
                JsonFiles.bool(node, "invert", false, file));
    }

    /** A regex of a tokenizer file, read as Oniguruma reads it (see the class comment). */
    static Pattern compile(String regex, Path file) {
        try {
            return Pattern.compile(regex, FLAGS);
        } catch (PatternSyntaxException e) {
            throw new TokenizerException(file + ": cannot read the split regex " + regex + ": " + e.getDescription(), e);
        }
    }

    @Override
    public void split(String text, List<String> out) {
        IntArrayBuilder spans = new IntArrayBuilder(48);
        int match = invert ? 0 : 1;
        if (tiling != null) {
            for (int start = 0; start < text.length(); ) {
                int end = tiling.matchEnd(text, start);
                addSpan(spans, start, end, match);
                start = end;
            }
        } else {
            int previous = 0;
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                if (m.start() > previous) {
                    addSpan(spans, previous, m.start(), 1 - match);
                }
                addSpan(spans, m.start(), m.end(), match);
                previous = m.end();
            }
            if (previous < text.length()) {
                addSpan(spans, previous, text.length(), 1 - match);
            }
        }
        behavior.apply(text, spans.array(), spans.size() / 3, out);
    }

    private static void addSpan(IntArrayBuilder spans, int start, int end, int match) {
        spans.add(start);
        spans.add(end);
        spans.add(match);
    }
}
