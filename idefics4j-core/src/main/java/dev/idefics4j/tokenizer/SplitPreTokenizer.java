package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * tokenizers' {@code Split} pre-tokenizer: the text is cut into the spans a pattern matches and the spans between them,
 * which the {@link SplitDelimiterBehavior} turns into pieces ({@code invert} swaps what counts as a match). Also
 * {@code Digits} (a split on every numeric character) and the regex step of {@link ByteLevel}.
 *
 * <p>tokenizers compiles patterns with Oniguruma; java.util.regex reads the same syntax for the patterns tokenizer
 * files use ({@code \p{L}}, {@code \p{N}}, {@code (?i:...)}, lookahead), given Unicode semantics for {@code \s},
 * {@code \w}, {@code \d} and case folding, {@code ^}/{@code $} at line boundaries and {@code \n} as the only line
 * terminator, as in Oniguruma. The patterns of these files match in linear time: no alternative can fail after a
 * long run except by giving back the run once.
 */
final class SplitPreTokenizer implements PreTokenizer {
    private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS | Pattern.MULTILINE | Pattern.UNIX_LINES;
    /** Rust's {@code char::is_numeric}: general categories Nd, Nl and No. */
    private static final Pattern NUMERIC = Pattern.compile("\\p{N}");

    private final Pattern pattern;
    private final SplitDelimiterBehavior behavior;
    private final boolean invert;

    SplitPreTokenizer(Pattern pattern, SplitDelimiterBehavior behavior, boolean invert) {
        this.pattern = pattern;
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

    /** tokenizers' {@code Digits}: every numeric character on its own, or runs of them. */
    static SplitPreTokenizer digits(boolean individualDigits) {
        return new SplitPreTokenizer(NUMERIC,
                individualDigits ? SplitDelimiterBehavior.ISOLATED : SplitDelimiterBehavior.CONTIGUOUS, false);
    }

    @Override
    public void split(String text, List<String> out) {
        IntArrayBuilder spans = new IntArrayBuilder(48);
        int match = invert ? 0 : 1;
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
        behavior.apply(text, spans.array(), spans.size() / 3, out);
    }

    private static void addSpan(IntArrayBuilder spans, int start, int end, int match) {
        spans.add(start);
        spans.add(end);
        spans.add(match);
    }
}
