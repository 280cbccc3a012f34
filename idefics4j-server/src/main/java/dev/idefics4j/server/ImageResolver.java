package dev.idefics4j.server;

import dev.idefics4j.image.DecodeMemory;
import dev.idefics4j.image.ImageLoadException;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.PromptItem;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Turns the image references of a request into decoded images, the only way images reach the processor in the
 * server (so the processor never fetches or opens anything itself): {@code data:} URLs and downloads are decoded
 * within the byte and pixel caps and the caller's decode memory, http(s) URLs go through the {@link GuardedFetcher}
 * in one of the server's download slots, and local files are served only from inside the configured media folder.
 */
public final class ImageResolver {
    private final ImageLoader decoder;
    private final GuardedFetcher fetcher;
    private final FetchSlots slots;
    private final Path mediaDir;

    /** @param mediaDir the only folder local files may come from; null refuses every local file */
    public ImageResolver(ImageLoader decoder, GuardedFetcher fetcher, Path mediaDir) {
        this(decoder, fetcher, new FetchSlots(Integer.MAX_VALUE, LimitNames.SERVER), mediaDir);
    }

    ImageResolver(ImageLoader decoder, GuardedFetcher fetcher, FetchSlots slots, Path mediaDir) {
        this.decoder = decoder;
        this.fetcher = fetcher;
        this.slots = slots;
        this.mediaDir = mediaDir == null ? null : realFolder(mediaDir);
    }

    /** Downloads in flight now. */
    int fetchesInFlight() {
        return slots.inFlight();
    }

    /** An image reference checked and, for an http(s) URL, downloaded: what is left is to decode it. */
    public record Fetched(ImageSource source, String description) {
    }

    public PromptItem.Decoded resolve(String reference) {
        return decode(fetch(reference), DecodeMemory.UNLIMITED);
    }

    /** Decodes what {@link #fetch} found, the decode admitted against {@code memory}. */
    public PromptItem.Decoded decode(Fetched image, DecodeMemory memory) {
        return new PromptItem.Decoded(decoder.load(image.source(), memory), image.description());
    }

    /**
     * Checks {@code reference} and downloads it when it is an http(s) URL (in a download slot), decoding nothing:
     * a data URL or a media-folder file is read when it is decoded.
     */
    public Fetched fetch(String reference) {
        return fetch(reference, () -> false);
    }

    /** Like {@link #fetch(String)}, a download stopped (and its slot freed) once {@code stop} answers true. */
    public Fetched fetch(String reference, BooleanSupplier stop) {
        String s = reference.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            ImageSource source = ImageSource.dataUrl(s);
            return new Fetched(source, source.description());
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            URI uri;
            try {
                uri = new URI(s);
            } catch (URISyntaxException e) {
                throw new ImageLoadException(shorten(s) + ": not a valid URL (" + e.getReason() + ")");
            }
            return new Fetched(ImageSource.bytes(slots.hold(() -> fetcher.fetch(uri, stop)), s), s);
        }
        if (lower.matches("^[a-z][a-z0-9+.-]*:.*") && !lower.startsWith("file:") && !lower.matches("^[a-z]:[\\\\/].*")) {
            throw new ImageLoadException(shorten(s) + ": unsupported image URL scheme; use http(s) or data: URLs");
        }
        return local(s);
    }

    private Fetched local(String s) {
        if (mediaDir == null) {
            throw new ImageLoadException(shorten(s) + ": local files are not served; send the image as an http(s) or "
                    + "data: URL, or start the server with a media folder (--media-dir)");
        }
        Path path;
        try {
            path = s.toLowerCase(Locale.ROOT).startsWith("file:") ? Path.of(new URI(s)) : Path.of(s);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ImageLoadException(shorten(s) + ": not a valid file path or file: URL");
        }
        Path real;
        try {
            real = mediaDir.resolve(path).toRealPath();
        } catch (NoSuchFileException e) {
            throw new ImageLoadException(shorten(s) + ": no such file in the media folder");
        } catch (FileSystemException e) {
            throw new ImageLoadException(shorten(s) + ": cannot open it in the media folder ("
                    + (e.getReason() != null ? e.getReason() : "file system error") + ")");
        } catch (IOException e) {
            throw new ImageLoadException(shorten(s) + ": cannot open it in the media folder");
        }
        if (!real.startsWith(mediaDir)) {
            throw new ImageLoadException(shorten(s) + ": outside the media folder; only files inside it are served");
        }
        return new Fetched(ImageSource.file(real), s);
    }

    private static Path realFolder(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("media folder " + dir + " does not exist", e);
        }
    }

    private static String shorten(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
