package dev.idefics4j.processor;

import dev.idefics4j.image.ImageSource;
import dev.idefics4j.image.RgbImage;

import java.util.Objects;

/**
 * One item of a prompt: text, or an image. As in the reference, a text item that is nothing but a URL (no space,
 * a scheme and a host) is taken as an image when the prompt is processed.
 */
public sealed interface PromptItem {
    record Text(String text) implements PromptItem {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An image still to be loaded from where it lives. */
    record Image(ImageSource source) implements PromptItem {
        public Image {
            Objects.requireNonNull(source, "source");
        }
    }

    /** An image already decoded to RGB (by {@link dev.idefics4j.image.ImageLoader} or the caller). */
    record Decoded(RgbImage image, String description) implements PromptItem {
        public Decoded {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(description, "description");
        }
    }

    static PromptItem text(String text) {
        return new Text(text);
    }

    static PromptItem image(ImageSource source) {
        return new Image(source);
    }

    /** An image by path, http(s) URL or data URL. */
    static PromptItem image(String pathOrUrl) {
        return new Image(ImageSource.parse(pathOrUrl));
    }
}
