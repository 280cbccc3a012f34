package dev.idefics4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Valid one-colour 8-bit PNGs of any size, written row by row through a deflater: a 9400 x 9400 RGB image is a few
 * hundred KB encoded and 265 MB decoded, the shape of a decompression bomb under the pixel cap.
 */
public final class SolidPng {
    private SolidPng() {
    }

    /** An 8-bit RGB (colour type 2) image of one grey level. */
    public static byte[] rgb(int width, int height, int level) {
        return of(width, height, 2, 3, level);
    }

    /** An 8-bit RGBA (colour type 6) image whose every sample is {@code level}. */
    public static byte[] rgba(int width, int height, int level) {
        return of(width, height, 6, 4, level);
    }

    private static byte[] of(int width, int height, int colourType, int channels, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8)
                .put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0).array());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream z = new DeflaterOutputStream(data, deflater, 1 << 16)) {
            byte[] row = new byte[1 + width * channels];
            Arrays.fill(row, (byte) level);
            row[0] = 0; // filter type None
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        chunk(out, "IDAT", data.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
