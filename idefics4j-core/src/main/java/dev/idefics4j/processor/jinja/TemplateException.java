package dev.idefics4j.processor.jinja;

/**
 * A chat template that does not parse, raises an error itself ({@code raise_exception(...)}), fails while rendering,
 * or exceeds the rendering limits. The message names the template's origin (its file), the line where known, and
 * what went wrong; {@link #templateMessage()} is the bare reason, such as the template's own message.
 */
public class TemplateException extends RuntimeException {
    private final String origin;
    private final String templateMessage;

    public TemplateException(String origin, String message, String templateMessage) {
        super(origin + ": " + message);
        this.origin = origin;
        this.templateMessage = templateMessage;
    }

    /** Where the template came from, e.g. {@code /models/x/chat_template.json}. */
    public String origin() {
        return origin;
    }

    /** The reason without the origin: the template's {@code raise_exception} message, or the engine's message. */
    public String templateMessage() {
        return templateMessage;
    }
}
