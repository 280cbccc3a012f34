package dev.idefics4j.generation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in tokenizer for the tiny models: ids 3–258 are the bytes 0x00–0xFF (as LLaMA's byte-fallback pieces),
 * every other id reads {@code [id]}. Bytes decode as UTF-8, so a split character shows as U+FFFD.
 */
final class FakeTokenizer implements GenerationTokenizer {
    private static final Pattern WORD = Pattern.compile("\\[(\\d+)]");

    @Override
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            ids.add(Integer.parseInt(m.group(1)));
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id >= 3 && id <= 258) {
                bytes.write(id - 3);
                continue;
            }
            out.append(bytes.toString(StandardCharsets.UTF_8));
            bytes.reset();
            out.append('[').append(id).append(']');
        }
        return out.append(bytes.toString(StandardCharsets.UTF_8)).toString();
    }

    /** The byte-fallback ids of a string's UTF-8 bytes. */
    static int[] byteIds(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = (b[i] & 0xFF) + 3;
        }
        return ids;
    }
}
