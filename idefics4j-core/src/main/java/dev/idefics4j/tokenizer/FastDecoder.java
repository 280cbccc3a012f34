package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The {@code decoder} of a tokenizer.json: each step rewrites the list of token strings (tokenizers' {@code decode_chain})
 * and the result is concatenated. Supported: Sequence, Replace (plain string), ByteFallback, Fuse, Strip and ByteLevel;
 * no decoder joins the tokens with spaces, as tokenizers does.
 */
final class FastDecoder {
    private final List<UnaryOperator<List<String>>> steps;

    private FastDecoder(List<UnaryOperator<List<String>>> steps) {
        this.steps = steps;
    }

    static FastDecoder parse(JsonNode node, Path file) {
        List<UnaryOperator<List<String>>> steps = new ArrayList<>();
        if (node == null || node.isNull()) {
            steps.add(tokens -> List.of(String.join(" ", tokens)));
        } else {
            addSteps(node, file, steps);
        }
        return new FastDecoder(List.copyOf(steps));
    }

    private static void addSteps(JsonNode node, Path file, List<UnaryOperator<List<String>>> steps) {
        String type = JsonFiles.text(node, "type", file);
        switch (type == null ? "" : type) {
            case "Sequence" -> {
                for (JsonNode child : JsonFiles.require(node, "decoders", file)) {
                    addSteps(child, file, steps);
                }
            }
            case "Replace" -> {
                String pattern = FastNormalizer.stringPattern(node, file, "decoder");
                String content = JsonFiles.require(node, "content", file).asText();
                steps.add(tokens -> tokens.stream().map(t -> t.replace(pattern, content)).toList());
            }
            case "ByteFallback" -> steps.add(FastDecoder::byteFallback);
            case "Fuse" -> steps.add(tokens -> List.of(String.join("", tokens)));
            case "ByteLevel" -> steps.add(tokens -> List.of(ByteLevel.decode(tokens)));
            case "Strip" -> {
                String content = JsonFiles.require(node, "content", file).asText();
                if (content.codePointCount(0, content.length()) != 1) {
                    throw new TokenizerException(file + ": Strip decoder content must be one character");
                }
                int start = JsonFiles.require(node, "start", file).asInt();
                int stop = JsonFiles.require(node, "stop", file).asInt();
                steps.add(tokens -> tokens.stream().map(t -> strip(t, content.codePointAt(0), start, stop)).toList());
            }
            default -> throw new TokenizerException(file + ": decoder \"" + type + "\" is not supported");
        }
    }

    String decode(List<String> tokens) {
        for (UnaryOperator<List<String>> step : steps) {
            tokens = step.apply(tokens);
        }
        return String.join("", tokens);
    }

    /** Turns runs of {@code <0xNN>} tokens into their UTF-8 text, or one U+FFFD per byte when the run is not valid UTF-8. */
    private static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (String t : tokens) {
            int b = BytePieces.parseHex(t);
            if (b >= 0) {
                run.write(b);
                continue;
            }
            flush(run, out);
            out.add(t);
        }
        flush(run, out);
        return out;
    }

    private static void flush(ByteArrayOutputStream run, List<String> out) {
        if (run.size() == 0) {
            return;
        }
        try {
            out.add(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(run.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            out.add("\uFFFD".repeat(run.size()));
        }
        run.reset();
    }

    /** Removes up to {@code start} leading and {@code stop} trailing occurrences of {@code c}. */
    private static String strip(String token, int c, int start, int stop) {
        int[] cps = token.codePoints().toArray();
        int from = 0;
        while (from < Math.min(start, cps.length) && cps[from] == c) {
            from++;
        }
        int to = cps.length;
        for (int i = 0; i < stop && to > from && cps[to - 1] == c; i++) {
            to--;
        }
        return new String(cps, from, to - from);
    }
}
