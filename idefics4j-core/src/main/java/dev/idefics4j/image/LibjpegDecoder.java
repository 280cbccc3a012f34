package dev.idefics4j.image;

import dev.idefics4j.nativelib.BundledLibrary;

import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * JPEG through libjpeg-turbo, the library Pillow decodes JPEG with, called as Pillow 9.4 calls it (through the small
 * C library {@code src/main/c/jpeg_decode.c}, built into the jar when the build machine has gcc and libjpeg's headers,
 * which catches libjpeg's errors): the pixels are Pillow's bit for bit where the machine's libjpeg.so.62 is the one
 * Pillow links. Pillow's conversions follow here: a 4-component file is read as Adobe-inverted CMYK ("CMYK;I") and
 * converted to RGB with Pillow's formula. {@link #unavailableReason()} says why it cannot run; the system property
 * {@code idefics4j.native.jpeg.library} names a library file to use instead of the bundled one.
 */
final class LibjpegDecoder {
    private static final String RESOURCE = "/native/linux-x86_64/libidefics4j_jpeg.so";
    private static final int ABI_VERSION = 1;
    private static final int OK = 0;
    private static final int TRUNCATED = 1;
    private static final int MESSAGE_BYTES = 256;
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
    private static final AddressLayout ADDRESS = ValueLayout.ADDRESS;

    /** Resolved once, on first use. */
    private static final class Loaded {
        static final String REASON;
        static final MethodHandle OUTPUT_CHANNELS;
        static final MethodHandle DECODE;
        static final int TURBO_VERSION;

        static {
            String reason = null;
            MethodHandle outputChannels = null;
            MethodHandle decode = null;
            int turboVersion = 0;
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(libraryFile(), Arena.global());
                Linker linker = Linker.nativeLinker();
                int abi = (int) linker.downcallHandle(lib.findOrThrow("i4j_jpeg_abi_version"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
                if (abi != ABI_VERSION) {
                    reason = "the native JPEG library has interface version " + abi + ", this build needs "
                            + ABI_VERSION;
                } else {
                    turboVersion = (int) linker.downcallHandle(lib.findOrThrow("i4j_jpeg_turbo_version"),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
                    outputChannels = linker.downcallHandle(lib.findOrThrow("i4j_jpeg_output_channels"),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                    decode = linker.downcallHandle(lib.findOrThrow("i4j_jpeg_decode"), FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ADDRESS, SIZE_T, ADDRESS, ADDRESS, SIZE_T, ADDRESS, SIZE_T));
                }
            } catch (Throwable e) {
                reason = "the native JPEG library could not be loaded: " + e.getMessage();
            }
            REASON = reason;
            OUTPUT_CHANNELS = reason == null ? outputChannels : null;
            DECODE = reason == null ? decode : null;
            TURBO_VERSION = turboVersion;
        }
    }

    private LibjpegDecoder() {
    }

    /** "libjpeg-turbo", or "libjpeg" where the library was built against another libjpeg. */
    static String name() {
        return Loaded.TURBO_VERSION == 0 ? "libjpeg" : "libjpeg-turbo";
    }

    static boolean available() {
        return Loaded.REASON == null;
    }

    /** Why {@link #available()} is false, or null. */
    static String unavailableReason() {
        return Loaded.REASON;
    }

    /** The libjpeg-turbo version the library was built against, e.g. "2.1.5" (or "unknown"). */
    static String version() {
        int v = Loaded.TURBO_VERSION;
        return v == 0 ? "unknown" : v / 1_000_000 + "." + v / 1000 % 1000 + "." + v % 1000;
    }

    /** Decodes {@code jpeg}, refusing it from its header alone when it exceeds {@code limits}. */
    static DecodedPixels decode(byte[] jpeg, String where, ImageLimits limits) {
        return decode(jpeg, where, DecodeAdmission.unlimited(where, ImageFormat.JPEG, limits));
    }

    /** Decodes {@code jpeg} once {@code admission} has admitted its size, read from the header alone. */
    static DecodedPixels decode(byte[] jpeg, String where, DecodeAdmission admission) {
        if (!available()) {
            throw new IllegalStateException("libjpeg unavailable: " + unavailableReason());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(jpeg.length);
            MemorySegment.copy(jpeg, 0, data, ValueLayout.JAVA_BYTE, 0, jpeg.length);
            MemorySegment info = arena.allocate(ValueLayout.JAVA_INT, 4);
            MemorySegment message = arena.allocate(MESSAGE_BYTES);
            // First the header alone (no output buffer), so that the size is checked before anything is allocated.
            int status = (int) Loaded.DECODE.invokeExact(data, (long) jpeg.length, info, MemorySegment.NULL, 0L,
                    message, (long) MESSAGE_BYTES);
            check(status, message, where);
            int width = info.getAtIndex(ValueLayout.JAVA_INT, 0);
            int height = info.getAtIndex(ValueLayout.JAVA_INT, 1);
            int components = info.getAtIndex(ValueLayout.JAVA_INT, 2);
            int precision = info.getAtIndex(ValueLayout.JAVA_INT, 3);
            // Pillow's own header checks, made before it calls libjpeg.
            if (precision != 8) {
                throw ImageLoadException.of(where, "cannot handle " + precision + "-bit JPEG samples (Pillow "
                        + "reads 8-bit JPEG only)");
            }
            int channels = (int) Loaded.OUTPUT_CHANNELS.invokeExact(components);
            if (channels == 0) {
                throw ImageLoadException.of(where, "cannot handle a JPEG of " + components
                        + " components (Pillow reads 1, 3 or 4)");
            }
            // libjpeg's rows (native), then their copy on the heap in Pillow's mode; a grey copy becomes RGB once the
            // native rows are freed. A progressive file's coefficients stay until its last scan.
            long perPixel = channels == 1 ? 1 + 3 : channels + 3;
            if (ImageFormat.jpegProgressive(jpeg)) {
                perPixel += ImageDecoder.jpegCoefficientBytes(components);
            }
            admission.admit(width, height, perPixel);
            long rowBytes = (long) width * channels;
            MemorySegment out = arena.allocate(rowBytes * height);
            status = (int) Loaded.DECODE.invokeExact(data, (long) jpeg.length, info, out, out.byteSize(), message,
                    (long) MESSAGE_BYTES);
            check(status, message, where);
            return toPillowMode(out, width, height, components, (int) rowBytes);
        } catch (ImageLoadException | OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) {
            throw ImageLoadException.of(where, "the native JPEG decoder failed: " + e, e);
        }
    }

    private static void check(int status, MemorySegment message, String where) {
        if (status == OK) {
            return;
        }
        if (status == TRUNCATED) {
            throw ImageLoadException.of(where, "truncated or corrupt JPEG data (image file is truncated: the data "
                    + "ends before the image does)");
        }
        throw ImageLoadException.of(where, "corrupt or unsupported JPEG data (libjpeg-turbo: "
                + message.getString(0) + ")");
    }

    /**
     * libjpeg's rows to Pillow's mode: grey stays L; RGBX drops its padding; CMYK is inverted as Pillow's "CMYK;I"
     * unpacker does and converted to RGB (the same for {@code convert_to_rgb} and {@code convert("RGB")}: no alpha).
     */
    private static DecodedPixels toPillowMode(MemorySegment out, int width, int height, int components,
                                              int rowBytes) {
        if (components == 1) {
            byte[] gray = new byte[width * height];
            MemorySegment.copy(out, ValueLayout.JAVA_BYTE, 0, gray, 0, gray.length);
            return new DecodedPixels(width, height, 1, gray);
        }
        int stride = rowBytes / width;
        byte[] rgb = new byte[width * height * 3];
        byte[] row = new byte[rowBytes];
        int o = 0;
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(out, ValueLayout.JAVA_BYTE, (long) y * rowBytes, row, 0, rowBytes);
            for (int i = 0; i < rowBytes; i += stride) {
                if (components == 3) {
                    rgb[o++] = row[i];
                    rgb[o++] = row[i + 1];
                    rgb[o++] = row[i + 2];
                } else {
                    int k = 255 - (row[i + 3] & 0xFF);
                    rgb[o++] = (byte) PillowRgbConversion.cmykToRgb(255 - (row[i] & 0xFF), k);
                    rgb[o++] = (byte) PillowRgbConversion.cmykToRgb(255 - (row[i + 1] & 0xFF), k);
                    rgb[o++] = (byte) PillowRgbConversion.cmykToRgb(255 - (row[i + 2] & 0xFF), k);
                }
            }
        }
        return new DecodedPixels(width, height, 3, rgb);
    }

    private static Path libraryFile() throws IOException {
        return BundledLibrary.file(RESOURCE, "idefics4j.native.jpeg.library", "gcc or libjpeg's headers, Debian's "
                + "libjpeg62-turbo-dev, were missing when it was built");
    }
}
