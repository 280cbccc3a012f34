package dev.idefics4j.image;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * WebP through the machine's libwebp (libwebp.so.7 and libwebpdemux.so.2), called through {@code java.lang.foreign}
 * exactly as Pillow 9.4 calls it ({@code _webp.c}): the mode is RGBA when {@code WebPGetFeatures} reports alpha and
 * RGB otherwise, and the pixels are the first frame of {@code WebPAnimDecoder} with its default options (non-premultiplied
 * RGBA, no threads), for still and animated files alike. libwebp reports every failure by return value, so no C glue
 * is needed. The structures below are libwebp's public ABI (decode.h, demux.h), stable within an ABI major version,
 * which the library itself checks.
 */
final class LibwebpDecoder {
    static final String NAME = "libwebp";
    /** WEBP_DECODER_ABI_VERSION and WEBP_DEMUX_ABI_VERSION of libwebp 1.2 (Debian 12); the major byte must match. */
    private static final int DECODER_ABI = 0x0209;
    private static final int DEMUX_ABI = 0x0107;
    /** WebPBitstreamFeatures: width, height, has_alpha, has_animation, format, then five padding words. */
    private static final long FEATURES_BYTES = 10 * 4;
    /** WebPAnimInfo: canvas_width, canvas_height, loop_count, bgcolor, frame_count, then four padding words. */
    private static final long ANIM_INFO_BYTES = 9 * 4;
    /** WebPData: the bytes' address and size. */
    private static final MemoryLayout WEBP_DATA = MemoryLayout.structLayout(ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG);
    private static final String[] STATUS = {"ok", "out of memory", "invalid parameter", "bitstream error",
            "unsupported feature", "suspended", "user abort", "not enough data"};
    private static final int NOT_ENOUGH_DATA = 7;
    /**
     * What a decode holds per pixel at its peak: the animation decoder's two RGBA canvases (the frame and the
     * disposed previous one, native), and then either the lossless decoder's ARGB buffer while the frame is decoded
     * or the frame's copy on the heap (RGBA or RGB) while it is copied.
     */
    private static final long PEAK_BYTES_PER_PIXEL = 4 + 4 + 4;
    private static final AddressLayout ADDRESS = ValueLayout.ADDRESS;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    /** Resolved once, on first use. */
    private static final class Loaded {
        static final String REASON;
        static final MethodHandle GET_FEATURES;
        static final MethodHandle ANIM_NEW;
        static final MethodHandle ANIM_INFO;
        static final MethodHandle ANIM_NEXT;
        static final MethodHandle ANIM_DELETE;
        static final int VERSION;

        static {
            String reason = null;
            MethodHandle getFeatures = null;
            MethodHandle animNew = null;
            MethodHandle animInfo = null;
            MethodHandle animNext = null;
            MethodHandle animDelete = null;
            int version = 0;
            try {
                if (ADDRESS.byteSize() != 8) {
                    throw new UnsupportedOperationException("only 64-bit platforms are supported");
                }
                SymbolLookup webp = SymbolLookup.libraryLookup("libwebp.so.7", Arena.global());
                SymbolLookup demux = SymbolLookup.libraryLookup("libwebpdemux.so.2", Arena.global());
                Linker linker = Linker.nativeLinker();
                version = (int) linker.downcallHandle(webp.findOrThrow("WebPGetDecoderVersion"),
                        FunctionDescriptor.of(INT)).invokeExact();
                getFeatures = linker.downcallHandle(webp.findOrThrow("WebPGetFeaturesInternal"),
                        FunctionDescriptor.of(INT, ADDRESS, ValueLayout.JAVA_LONG, ADDRESS, INT));
                animNew = linker.downcallHandle(demux.findOrThrow("WebPAnimDecoderNewInternal"),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, INT));
                animInfo = linker.downcallHandle(demux.findOrThrow("WebPAnimDecoderGetInfo"),
                        FunctionDescriptor.of(INT, ADDRESS, ADDRESS));
                animNext = linker.downcallHandle(demux.findOrThrow("WebPAnimDecoderGetNext"),
                        FunctionDescriptor.of(INT, ADDRESS, ADDRESS, ADDRESS));
                animDelete = linker.downcallHandle(demux.findOrThrow("WebPAnimDecoderDelete"),
                        FunctionDescriptor.ofVoid(ADDRESS));
                if (version >> 16 < 1) {
                    reason = "libwebp " + versionString(version) + " is older than 1.0";
                }
            } catch (Throwable e) {
                reason = "libwebp (libwebp.so.7, libwebpdemux.so.2) could not be loaded: " + e.getMessage();
            }
            REASON = reason;
            GET_FEATURES = reason == null ? getFeatures : null;
            ANIM_NEW = reason == null ? animNew : null;
            ANIM_INFO = reason == null ? animInfo : null;
            ANIM_NEXT = reason == null ? animNext : null;
            ANIM_DELETE = reason == null ? animDelete : null;
            VERSION = version;
        }
    }

    private LibwebpDecoder() {
    }

    static boolean available() {
        return Loaded.REASON == null;
    }

    /** Why {@link #available()} is false, or null. */
    static String unavailableReason() {
        return Loaded.REASON;
    }

    /** The loaded libwebp's version, e.g. "1.2.4". */
    static String version() {
        return versionString(Loaded.VERSION);
    }

    private static String versionString(int v) {
        return (v >> 16) + "." + (v >> 8 & 0xFF) + "." + (v & 0xFF);
    }

    /** Decodes the first frame of {@code webp}, refusing it from its header alone when it exceeds {@code limits}. */
    static DecodedPixels decode(byte[] webp, String where, ImageLimits limits) {
        return decode(webp, where, DecodeAdmission.unlimited(where, ImageFormat.WEBP, limits));
    }

    /** Decodes the first frame of {@code webp} once {@code admission} has admitted its size, read from the header. */
    static DecodedPixels decode(byte[] webp, String where, DecodeAdmission admission) {
        if (!available()) {
            throw new IllegalStateException("libwebp unavailable: " + unavailableReason());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(webp.length);
            MemorySegment.copy(webp, 0, data, ValueLayout.JAVA_BYTE, 0, webp.length);
            MemorySegment features = arena.allocate(FEATURES_BYTES, 4);
            int status = (int) Loaded.GET_FEATURES.invokeExact(data, (long) webp.length, features, DECODER_ABI);
            if (status != 0) {
                throw ImageLoadException.of(where, (status == NOT_ENOUGH_DATA ? "truncated or corrupt" : "corrupt")
                        + " WebP data (libwebp: " + (status < STATUS.length ? STATUS[status] : "status " + status)
                        + ")");
            }
            int width = features.getAtIndex(INT, 0);
            int height = features.getAtIndex(INT, 1);
            boolean alpha = features.getAtIndex(INT, 2) != 0;
            // The animation decoder allocates its canvas up front: the size is checked before it exists.
            admission.admit(width, height, PEAK_BYTES_PER_PIXEL);
            MemorySegment source = arena.allocate(WEBP_DATA);
            source.set(ADDRESS, 0, data);
            source.set(ValueLayout.JAVA_LONG, 8, webp.length);
            MemorySegment decoder = (MemorySegment) Loaded.ANIM_NEW.invokeExact(source, MemorySegment.NULL,
                    DEMUX_ABI);
            if (decoder.equals(MemorySegment.NULL)) {
                throw ImageLoadException.of(where, "truncated or corrupt WebP data (libwebp's demuxer cannot read "
                        + "its chunks)");
            }
            try {
                return firstFrame(decoder, arena, width, height, alpha, where);
            } finally {
                Loaded.ANIM_DELETE.invokeExact(decoder);
            }
        } catch (ImageLoadException | OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) {
            throw ImageLoadException.of(where, "the native WebP decoder failed: " + e, e);
        }
    }

    private static DecodedPixels firstFrame(MemorySegment decoder, Arena arena, int width, int height,
                                            boolean alpha, String where) throws Throwable {
        MemorySegment info = arena.allocate(ANIM_INFO_BYTES, 4);
        if ((int) Loaded.ANIM_INFO.invokeExact(decoder, info) == 0) {
            throw ImageLoadException.of(where, "corrupt WebP data (libwebp gives no canvas size)");
        }
        if (info.getAtIndex(INT, 0) != width || info.getAtIndex(INT, 1) != height) {
            throw ImageLoadException.of(where, "corrupt WebP data (canvas " + info.getAtIndex(INT, 0) + "x"
                    + info.getAtIndex(INT, 1) + " where the header says " + width + "x" + height + ")");
        }
        MemorySegment bufferPointer = arena.allocate(ADDRESS);
        MemorySegment timestamp = arena.allocate(INT);
        if ((int) Loaded.ANIM_NEXT.invokeExact(decoder, bufferPointer, timestamp) == 0) {
            throw ImageLoadException.of(where, "truncated or corrupt WebP data (libwebp cannot decode the first "
                    + "frame)");
        }
        long pixels = (long) width * height;
        MemorySegment canvas = bufferPointer.get(ADDRESS, 0).reinterpret(pixels * 4);
        if (alpha) {
            byte[] rgba = new byte[(int) (pixels * 4)];
            MemorySegment.copy(canvas, ValueLayout.JAVA_BYTE, 0, rgba, 0, rgba.length);
            return new DecodedPixels(width, height, 4, rgba);
        }
        // Pillow reads the canvas as "RGBX": the fourth byte is dropped, whatever it holds.
        byte[] rgb = new byte[(int) (pixels * 3)];
        byte[] row = new byte[width * 4];
        int o = 0;
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(canvas, ValueLayout.JAVA_BYTE, (long) y * row.length, row, 0, row.length);
            for (int i = 0; i < row.length; i += 4) {
                rgb[o++] = row[i];
                rgb[o++] = row[i + 1];
                rgb[o++] = row[i + 2];
            }
        }
        return new DecodedPixels(width, height, 3, rgb);
    }
}
