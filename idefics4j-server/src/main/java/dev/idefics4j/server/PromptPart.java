package dev.idefics4j.server;

/** A piece of a prompt as a request states it: text, or a reference to an image not fetched yet. */
public sealed interface PromptPart {
    record Text(String text) implements PromptPart {
    }

    /** An http(s) URL, a {@code data:} URL, or a file in the media folder. */
    record Image(String reference) implements PromptPart {
    }
}
