package dev.idefics4j.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The markdown image split of TGI prompts: the same parts as the regex it replaces on random strings over the
 * syntax's characters, and hostile inputs of 200,000 characters that a backtracking matcher takes minutes over.
 */
class TgiPromptTest {
    /** The split as a regex defines it (quadratic on hostile input; fine on short strings). */
    private static final Pattern IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(([^)]*)\\)");

    private static List<PromptPart> byRegex(String inputs) {
        List<PromptPart> out = new ArrayList<>();
        Matcher m = IMAGE.matcher(inputs);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                out.add(new PromptPart.Text(inputs.substring(at, m.start())));
            }
            out.add(new PromptPart.Image(m.group(1).strip()));
            at = m.end();
        }
        if (at < inputs.length()) {
            out.add(new PromptPart.Text(inputs.substring(at)));
        }
        return out;
    }

    @Test
    void sameSplitAsTheRegex() {
        Random random = new Random(21);
        String alphabet = "![]()a ";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(16);
            for (int k = 0; k < n; k++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = s.toString();
            List<PromptPart> expected = byRegex(text);
            if (expected.stream().anyMatch(p -> p instanceof PromptPart.Image(String url) && url.isEmpty())) {
                continue; // refused as "no URL"
            }
            assertEquals(expected, TgiPrompt.of(text), text);
        }
        assertEquals(List.of(new PromptPart.Text("User:"), new PromptPart.Image("http://x/a.png"),
                new PromptPart.Text("Hi")), TgiPrompt.of("User:![alt]( http://x/a.png )Hi"));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void hostileInputsAreSplitInLinearTime() {
        String brackets = "![".repeat(100_000);
        assertEquals(List.of(new PromptPart.Text(brackets)), TgiPrompt.of(brackets));
        String unclosed = "![](".repeat(50_000);
        assertEquals(List.of(new PromptPart.Text(unclosed)), TgiPrompt.of(unclosed));
        String noParen = "![]".repeat(66_000) + ")";
        assertEquals(List.of(new PromptPart.Text(noParen)), TgiPrompt.of(noParen));
        String many = "![](u)".repeat(33_000);
        assertEquals(66_000, TgiPrompt.of(many).size() * 2);
        String spaces = "x" + " ".repeat(200_000) + "y";
        assertEquals(spaces, dev.idefics4j.processor.Urls.stripSpaces(spaces));
        assertEquals("x", dev.idefics4j.processor.Urls.stripSpaces(" ".repeat(200_000) + "x" + " ".repeat(200_000)));
    }
}
