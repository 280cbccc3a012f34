package dev.idefics4j.image;

/** An image that could not be had: the message names the source (path, URL, ...) and the problem. */
public class ImageLoadException extends RuntimeException {
    public ImageLoadException(String message) {
        super(message);
    }

    public ImageLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    static ImageLoadException of(String source, String problem) {
        return new ImageLoadException(source + ": " + problem);
    }

    static ImageLoadException of(String source, String problem, Throwable cause) {
        return new ImageLoadException(source + ": " + problem, cause);
    }
}
