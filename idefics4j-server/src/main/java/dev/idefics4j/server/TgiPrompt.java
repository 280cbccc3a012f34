package dev.idefics4j.server;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TGI's {@code inputs} string for IDEFICS (and a text completion's {@code prompt}): text with images as markdown, {@code ![](url)}, split into text and
 * image parts in order. The text is used as written (TGI users write the {@code User:}/{@code Assistant:} form
 * themselves).
 */
final class TgiPrompt {
    private static final Pattern IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(([^)]*)\\)");

    private TgiPrompt() {
    }

    static List<PromptPart> of(String inputs) {
        return of(inputs, "inputs");
    }

    /** @param param the request's name for the prompt, for error messages */
    static List<PromptPart> of(String inputs, String param) {
        List<PromptPart> out = new ArrayList<>();
        Matcher m = IMAGE.matcher(inputs);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                out.add(new PromptPart.Text(inputs.substring(at, m.start())));
            }
            String url = m.group(1).strip();
            if (url.isEmpty()) {
                throw ApiError.invalid(param, "an image ![](...) in " + param + " has no URL");
            }
            out.add(new PromptPart.Image(url));
            at = m.end();
        }
        if (at < inputs.length()) {
            out.add(new PromptPart.Text(inputs.substring(at)));
        }
        if (out.isEmpty()) {
            throw ApiError.invalid(param, param + " must not be empty");
        }
        return out;
    }
}
