package dev.idefics4j.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Loads images from files, http(s) URLs, data URLs, bytes or BufferedImages into {@link RgbImage}s holding the pixels
 * Pillow 9.4 + IDEFICS's {@code convert_to_rgb} would give (or, asked for, Pillow's {@code convert("RGB")}: see
 * {@link RgbConversion}), within {@link ImageLimits}. Every failure is an {@link ImageLoadException} naming the
 * source. Thread-safe; close it to release the HTTP client.
 */
public final class ImageLoader implements AutoCloseable {
    private final ImageLimits limits;
    private final Consumer<DecodedImage> observer;
    private HttpImageFetcher fetcher;

    public ImageLoader() {
        this(ImageLimits.DEFAULTS);
    }

    public ImageLoader(ImageLimits limits) {
        this(limits, decoded -> {
        });
    }

    /** {@code observer} sees every image this loader decodes, with its decoder, as it is loaded. */
    public ImageLoader(ImageLimits limits, Consumer<DecodedImage> observer) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    public ImageLimits limits() {
        return limits;
    }

    /** {@code pathOrUrl} as {@link ImageSource#parse(String)} reads it. */
    public RgbImage load(String pathOrUrl) {
        return load(ImageSource.parse(pathOrUrl));
    }

    /** The image with transparency composited over white, as IDEFICS's {@code convert_to_rgb}. */
    public RgbImage load(ImageSource source) {
        return load(source, RgbConversion.OVER_WHITE);
    }

    public RgbImage load(ImageSource source, RgbConversion conversion) {
        return loadDecoded(source, conversion).image();
    }

    /**
     * As {@link #load(ImageSource)}, the decode admitted against {@code memory} once the header has given its size
     * (a refusal is {@code memory}'s exception, thrown before any pixel is allocated).
     */
    public RgbImage load(ImageSource source, DecodeMemory memory) {
        return loadDecoded(source, RgbConversion.OVER_WHITE, memory).image();
    }

    /** The image and the decoder that read it. */
    public DecodedImage loadDecoded(ImageSource source, RgbConversion conversion) {
        return loadDecoded(source, conversion, DecodeMemory.UNLIMITED);
    }

    /** The image and the decoder that read it, the decode admitted against {@code memory}. */
    public DecodedImage loadDecoded(ImageSource source, RgbConversion conversion, DecodeMemory memory) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(conversion, "conversion");
        Objects.requireNonNull(memory, "memory");
        String where = source.description();
        DecodedImage decoded = switch (source) {
            case ImageSource.File file -> ImageDecoder.decode(readFile(file.path(), where), where, limits, conversion,
                    memory);
            case ImageSource.Url url -> ImageDecoder.decode(fetcher().fetch(url), where, limits, conversion, memory);
            case ImageSource.DataUrl dataUrl -> ImageDecoder.decode(DataUrlDecoder.decode(dataUrl, limits), where,
                    limits, conversion, memory);
            case ImageSource.Bytes bytes -> {
                checkEncodedSize(bytes.data().length, where);
                yield ImageDecoder.decode(bytes.data(), where, limits, conversion, memory);
            }
            case ImageSource.Image image -> new DecodedImage(fromBufferedImage(image, where, conversion), "none");
        };
        observer.accept(decoded);
        return decoded;
    }

    /** Loads each source in order; the first failure is thrown. */
    public List<RgbImage> loadAll(List<? extends ImageSource> sources) {
        List<RgbImage> images = new ArrayList<>(sources.size());
        for (ImageSource source : sources) {
            images.add(load(source));
        }
        return images;
    }

    private RgbImage fromBufferedImage(ImageSource.Image source, String where, RgbConversion conversion) {
        long pixels = (long) source.image().getWidth() * source.image().getHeight();
        if (pixels > limits.maxPixels()) {
            throw ImageLoadException.of(where, "image has " + pixels + " pixels, more than the limit of "
                    + limits.maxPixels());
        }
        return PillowRgbConversion.toRgb(source.image(), PillowRgbConversion.Quirk.NONE, conversion);
    }

    private byte[] readFile(Path path, String where) {
        try {
            // A FIFO or a device would block the read, or never end it: only regular files are read.
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw ImageLoadException.of(where, "is a directory, not an image file");
            }
            if (!attributes.isRegularFile()) {
                throw ImageLoadException.of(where, "is not a regular file (a FIFO, socket or device); only image "
                        + "files are read");
            }
            checkEncodedSize(attributes.size(), where);
            // Read at most one byte past the limit: the file may grow between the size check and the read.
            try (InputStream in = Files.newInputStream(path)) {
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxEncodedBytes() + 1));
                checkEncodedSize(bytes.length, where);
                return bytes;
            }
        } catch (NoSuchFileException e) {
            throw ImageLoadException.of(where, "file not found", e);
        } catch (AccessDeniedException e) {
            throw ImageLoadException.of(where, "permission denied", e);
        } catch (FileSystemException e) {
            // The operating system's reason ("Too many levels of symbolic links"), not the exception's class name.
            throw ImageLoadException.of(where, "cannot read file: " + (e.getReason() != null ? e.getReason()
                    : "file system error"), e);
        } catch (IOException e) {
            throw ImageLoadException.of(where, "cannot read file: " + e.getMessage(), e);
        }
    }

    private void checkEncodedSize(long size, String where) {
        if (size > limits.maxEncodedBytes()) {
            throw ImageLoadException.of(where, "is " + size + " bytes, more than the limit of "
                    + limits.maxEncodedBytes() + " bytes");
        }
    }

    private synchronized HttpImageFetcher fetcher() {
        if (fetcher == null) {
            fetcher = new HttpImageFetcher(limits);
        }
        return fetcher;
    }

    @Override
    public synchronized void close() {
        if (fetcher != null) {
            fetcher.close();
            fetcher = null;
        }
    }
}
