#!/usr/bin/python3
"""Writes the small test images of this folder and, for each, <name>.rgb: the pixels that
Pillow 9.4 (Debian python3-pil 9.4.0) decodes, after transformers' convert_to_rgb
(non-RGB modes: convert("RGBA"), alpha-composite over opaque white, convert("RGB")),
as raw interleaved 8-bit RGB, row by row. Run from this folder: /usr/bin/python3 make_images.py
"""
import struct
import zlib

import PIL
from PIL import Image

assert PIL.__version__ == "9.4.0", PIL.__version__

W, H = 24, 16


def rgb_pattern(x, y):
    # Left half a smooth gradient, right half four solid blocks (easy to check by eye and by value).
    if x < W // 2:
        return (x * 255 // (W // 2 - 1), y * 255 // (H - 1), (x + y) * 7 % 256)
    blocks = [(200, 30, 40), (20, 180, 60), (30, 60, 220), (250, 250, 250)]
    return blocks[(y >= H // 2) * 2 + (x >= W * 3 // 4)]


def alpha_pattern(x, y):
    return 255 if y < 4 else (0 if y < 8 else (x * 255 // (W - 1)))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(name, bit_depth, color_type, rows, extra_chunks=()):
    """A hand-written PNG encoder: Pillow 9.4 cannot save 16-bit colour PNGs."""
    raw = b"".join(b"\0" + row for row in rows)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, bit_depth, color_type, 0, 0, 0))
    for kind, payload in extra_chunks:
        data += png_chunk(kind, payload)
    data += png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")
    with open(name, "wb") as f:
        f.write(data)


def gif_lzw(indices, min_code_size=2):
    """Valid but uncompressed GIF LZW: a clear code before every pixel keeps the code width fixed."""
    clear, end, width = 1 << min_code_size, (1 << min_code_size) + 1, min_code_size + 1
    codes = [c for i in indices for c in (clear, i)] + [end]
    bits = "".join(format(c, f"0{width}b")[::-1] for c in codes)
    return bytes(int(bits[i:i + 8][::-1], 2) for i in range(0, len(bits), 8))


def write_gif(name, screen, frame_box, transparent_index=None):
    """A one-frame GIF whose frame covers only frame_box (left, top, width, height) of the logical screen."""
    left, top, fw, fh = frame_box
    palette = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0])
    data = b"GIF89a" + struct.pack("<HHBBB", screen[0], screen[1], 0x81, 2, 0) + palette
    if transparent_index is not None:
        data += b"\x21\xf9\x04" + bytes([1, 0, 0, transparent_index, 0])
    data += b"\x2c" + struct.pack("<HHHHB", left, top, fw, fh, 0) + bytes([2])
    lzw = gif_lzw([(x + 2 * y) % 4 for y in range(fh) for x in range(fw)])
    for i in range(0, len(lzw), 255):
        data += bytes([len(lzw[i:i + 255])]) + lzw[i:i + 255]
    with open(name, "wb") as f:
        f.write(data + b"\x00\x3b")


def pack_bits(values, bits):
    """Packs samples narrower than a byte, most significant first, as PNG rows want them."""
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc, n = (acc << bits) | v, n + bits
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


def convert_to_rgb(image):
    if image.mode == "RGB":
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def u16(v8, x, y):
    # A 16-bit sample whose high byte is v8 and whose low byte varies, so that rounding versus truncation shows.
    return v8 * 256 + (x * 37 + y * 11) % 256


def main():
    rgb = Image.new("RGB", (W, H))
    rgb.putdata([rgb_pattern(x, y) for y in range(H) for x in range(W)])
    rgba = rgb.copy()
    rgba.putalpha(Image.frombytes("L", (W, H), bytes(alpha_pattern(x, y) for y in range(H) for x in range(W))))

    rgb.save("progressive.jpg", quality=90, progressive=True)
    rgb.convert("L").save("gray.jpg", quality=90)
    rgb.save("subsampled422.jpg", quality=75, subsampling=1)
    # Pillow writes CMYK JPEGs with an Adobe marker and inverted samples, as Photoshop does.
    Image.new("CMYK", (W, H), (0, 255, 255, 0)).save("cmyk_red.jpg", quality=95)
    rgb.convert("CMYK").save("cmyk.jpg", quality=95)

    write_png("rgb16.png", 16, 2, [b"".join(struct.pack(">HHH", *(u16(c, x, y) for c in rgb_pattern(x, y)))
                                           for x in range(W)) for y in range(H)])
    write_png("rgba16.png", 16, 6, [b"".join(struct.pack(">HHHH", *(u16(c, x, y) for c in rgb_pattern(x, y)),
                                                         u16(alpha_pattern(x, y), x, y)) for x in range(W))
                                    for y in range(H)])
    # Pillow opens a 16-bit grey PNG as mode "I" and clips it to 0..255 on conversion: kept small on purpose.
    write_png("gray16.png", 16, 0, [b"".join(struct.pack(">H", (x * 13 + y) % 300) for x in range(W))
                                    for y in range(H)])
    write_png("gray16_trns.png", 16, 0, [b"".join(struct.pack(">H", (0, 100, 255, 300, 5000)[(x + y) % 5])
                                             for x in range(W)) for y in range(H)], [(b"tRNS", struct.pack(">H", 100))])
    write_png("gray4_trns.png", 4, 0, [pack_bits([(x + y) % 16 for x in range(W)], 4) for y in range(H)],
              [(b"tRNS", struct.pack(">H", 5))])
    rgb.convert("1").save("bilevel.png")
    rgb.quantize(16).save("palette4.png", bits=4)
    write_png("gray_trns.png", 8, 0, [bytes((x * 10) % 256 for x in range(W)) for y in range(H)],
              [(b"tRNS", struct.pack(">H", 50))])
    # Pillow keeps an RGB PNG with a tRNS colour in mode RGB, so the transparent colour is NOT whitened.
    write_png("rgb_trns.png", 8, 2, [b"".join(bytes(rgb_pattern(x, y)) for x in range(W)) for y in range(H)],
              [(b"tRNS", struct.pack(">HHH", 200, 30, 40))])
    palette = [rgb_pattern(x, 0) for x in range(W)]
    write_png("palette_trns.png", 8, 3, [bytes((x + y) % W for x in range(W)) for y in range(H)],
              [(b"PLTE", b"".join(bytes(c) for c in palette)),
               (b"tRNS", bytes((i * 40) % 256 if i % 3 else 255 for i in range(W - 4)))])

    rgb.save("lossless.webp", lossless=True)
    rgba.save("lossless_alpha.webp", lossless=True)
    rgb.save("lossy.webp", quality=90)
    # Pillow shows the first frame on the logical screen (grown to fit it), filled with the transparent index or 0.
    write_gif("gif_offset.gif", (W, H), (5, 4, 10, 6))
    write_gif("gif_offset_trns.gif", (W, H), (5, 4, 10, 6), transparent_index=3)
    write_gif("gif_grows_screen.gif", (W - 4, H - 6), (W - 8, H - 6, 8, 6))
    rgb.save("rgb24.bmp")
    rgb.quantize(16).save("palette8.bmp")

    for name in ["progressive.jpg", "gray.jpg", "subsampled422.jpg", "cmyk_red.jpg", "cmyk.jpg",
                 "rgb16.png", "rgba16.png", "gray16.png", "gray16_trns.png", "gray_trns.png", "rgb_trns.png",
                 "gray4_trns.png", "bilevel.png", "palette4.png", "palette_trns.png", "lossless.webp", "lossless_alpha.webp", "lossy.webp", "rgb24.bmp",
                 "palette8.bmp", "gif_offset.gif", "gif_offset_trns.gif", "gif_grows_screen.gif"]:
        image = Image.open(name)
        assert image.size == (W, H), (name, image.size)
        print(f"{name}: mode {image.mode} info {sorted(k for k in image.info)}")
        with open(name.rsplit(".", 1)[0] + ".rgb", "wb") as f:
            f.write(convert_to_rgb(image).tobytes())


if __name__ == "__main__":
    main()
