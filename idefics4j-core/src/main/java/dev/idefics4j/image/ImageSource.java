package dev.idefics4j.image;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/** Where an image comes from. {@link #description()} names it in error messages and in the CLI's output. */
public sealed interface ImageSource {

    /** A short human-readable name: the path, the URL, or a summary for data URLs, bytes and in-memory images. */
    String description();

    /** An image file on disk. */
    record File(Path path) implements ImageSource {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String description() {
            return path.toString();
        }
    }

    /** An http or https URL, fetched with {@link ImageLimits}' timeouts, size cap and redirect limit. */
    record Url(URI uri) implements ImageSource {
        public Url {
            Objects.requireNonNull(uri, "uri");
            if (!isHttp(uri)) {
                throw new IllegalArgumentException("not an http(s) URL: " + uri);
            }
        }

        @Override
        public String description() {
            return uri.toString();
        }

        static boolean isHttp(URI uri) {
            String scheme = uri.getScheme();
            return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    && uri.getHost() != null;
        }
    }

    /** A {@code data:} URL ({@code data:image/png;base64,...}). */
    record DataUrl(String url) implements ImageSource {
        public DataUrl {
            Objects.requireNonNull(url, "url");
        }

        /** Never the whole URL: it can be megabytes long. */
        @Override
        public String description() {
            int comma = url.indexOf(',');
            String header = comma >= 0 ? url.substring(0, Math.min(comma, 60)) : url.substring(0, Math.min(url.length(), 20));
            return header + ",... (data URL, " + url.length() + " characters)";
        }
    }

    /** Encoded image bytes (JPEG, PNG, GIF, BMP, WebP or TIFF) already in memory. */
    record Bytes(byte[] data, String name) implements ImageSource {
        public Bytes {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String description() {
            return name;
        }
    }

    /** An already decoded image; its pixels are read as the colour model says, no file-format rules apply. */
    record Image(BufferedImage image, String name) implements ImageSource {
        public Image {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String description() {
            return name;
        }
    }

    static ImageSource file(Path path) {
        return new File(path);
    }

    static ImageSource url(URI uri) {
        return new Url(uri);
    }

    static ImageSource dataUrl(String url) {
        return new DataUrl(url);
    }

    static ImageSource bytes(byte[] data) {
        return new Bytes(data, data.length + " bytes in memory");
    }

    static ImageSource bytes(byte[] data, String name) {
        return new Bytes(data, name);
    }

    static ImageSource image(BufferedImage image) {
        return new Image(image, "in-memory " + image.getWidth() + "x" + image.getHeight() + " image");
    }

    /**
     * What a user typed: {@code data:...} is a data URL, {@code http://} or {@code https://} a URL, {@code file:} a
     * file URL, another {@code scheme://} refused, anything else a file path.
     */
    static ImageSource parse(String text) {
        Objects.requireNonNull(text, "text");
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            return new DataUrl(text.strip());
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                return new Url(new URI(text.strip()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new ImageLoadException(text + ": not a valid URL (" + e.getMessage() + ")", e);
            }
        }
        if (lower.startsWith("file:")) {
            try {
                return new File(Path.of(new URI(text.strip())));
            } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
                throw new ImageLoadException(text + ": not a valid file: URL (" + e.getMessage() + ")", e);
            }
        }
        if (startsWithScheme(lower)) {
            throw new ImageLoadException(text + ": unsupported URL scheme \"" + lower.substring(0, lower.indexOf(':'))
                    + "\"; an image is a file path, or a file:, http(s) or data: URL");
        }
        try {
            return new File(Path.of(text));
        } catch (InvalidPathException e) {
            throw new ImageLoadException(text + ": not a valid file path (" + e.getMessage() + ")", e);
        }
    }

    /** A URL scheme and {@code ://}; two characters at least, since {@code c:\\x.png} is a Windows path. */
    private static boolean startsWithScheme(String lower) {
        int colon = lower.indexOf("://");
        if (colon < 2 || lower.charAt(0) < 'a' || lower.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < colon; i++) {
            char c = lower.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
