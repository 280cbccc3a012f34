#!/usr/bin/python3
"""Writes the decoder corpus of this folder: small JPEG, WebP and TIFF files made with Pillow 9.4 and Debian 12's
libjpeg-turbo-progs (cjpeg, jpegtran) and webp (cwebp) tools, and beside each file what Pillow 9.4 decodes:
<name>.rgb, after transformers' convert_to_rgb (non-RGB modes: convert("RGBA"), alpha-composited over opaque white,
convert("RGB")), and for files Pillow opens with alpha also <name>.rgba (the RGBA samples before compositing), both
as raw interleaved 8-bit rows. manifest.tsv lists each file's size and Pillow mode.
Run from this folder, given the repository's fixture images: /usr/bin/python3 make_corpus.py ../../../../../../testdata/fixtures/images
"""
import os
import subprocess
import sys
import tempfile

import PIL
from PIL import Image

assert PIL.__version__ == "9.4.0", PIL.__version__


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from make_images import convert_to_rgb  # noqa: E402 (the parent folder's script)


def run(*args):
    subprocess.run(args, check=True)


def main(fixtures):
    rocket = Image.open(os.path.join(fixtures, "rocket_rgb_200x320.jpg")).convert("RGB")
    photo = rocket.crop((104, 256, 152, 288))  # 48 x 32: lit steelwork against a blue sky, sharp colour edges
    odd = rocket.crop((100, 250, 145, 279))  # 45 x 29: partial MCUs on both axes
    portrait = Image.open(os.path.join(fixtures, "astronaut_rgba_64x80.png")).crop((8, 16, 56, 56))  # 48 x 40 RGBA
    tmp = tempfile.mkdtemp()
    photo_ppm = os.path.join(tmp, "photo.ppm")
    photo.save(photo_ppm)
    photo_png = os.path.join(tmp, "photo.png")
    photo.save(photo_png)
    portrait_png = os.path.join(tmp, "portrait.png")
    portrait.save(portrait_png)

    # JPEG: Pillow writes baseline/progressive Huffman files; cjpeg the arithmetic-coded and Adobe RGB ones.
    photo.save("jpeg_444.jpg", quality=85, subsampling=0)
    photo.save("jpeg_422.jpg", quality=85, subsampling=1)
    odd.save("jpeg_420_odd.jpg", quality=85, subsampling=2)
    # A lossless 90-degree rotation of a 4:2:2 file has vertically subsampled chroma (4:4:0).
    run("jpegtran", "-rotate", "90", "-perfect", "-outfile", "jpeg_440.jpg", "jpeg_422.jpg")
    photo.save("jpeg_progressive.jpg", quality=85, progressive=True)
    run("cjpeg", "-quality", "85", "-arithmetic", "-outfile", "jpeg_arithmetic.jpg", photo_ppm)
    run("cjpeg", "-quality", "85", "-arithmetic", "-progressive", "-outfile", "jpeg_arithmetic_progressive.jpg",
        photo_ppm)
    run("cjpeg", "-quality", "85", "-rgb", "-outfile", "jpeg_rgb_adobe.jpg", photo_ppm)
    run("cjpeg", "-quality", "85", "-sample", "4x1", "-outfile", "jpeg_411.jpg", photo_ppm)
    photo.convert("L").save("jpeg_gray.jpg", quality=85)
    photo.convert("CMYK").save("jpeg_cmyk.jpg", quality=90)  # Adobe marker, inverted samples

    # WebP: cwebp, as most WebP files on the web are made.
    run("cwebp", "-quiet", "-q", "70", photo_png, "-o", "webp_lossy_q70.webp")
    # cwebp's fastest method (-m 0): TwelveMonkeys' pure-Java decoder gets its brightness wrong.
    run("cwebp", "-quiet", "-q", "70", "-m", "0", photo_png, "-o", "webp_lossy_m0.webp")
    run("cwebp", "-quiet", "-q", "70", portrait_png, "-o", "webp_lossy_alpha.webp")
    run("cwebp", "-quiet", "-q", "70", "-alpha_method", "0", portrait_png, "-o", "webp_lossy_alpha_raw.webp")
    run("cwebp", "-quiet", "-q", "70", "-alpha_q", "50", "-alpha_filter", "best", portrait_png,
        "-o", "webp_lossy_alpha_filtered.webp")
    run("cwebp", "-quiet", "-lossless", portrait_png, "-o", "webp_lossless_alpha.webp")
    # Two frames; Pillow shows the first, from libwebp's animation decoder.
    second = photo.transpose(Image.FLIP_LEFT_RIGHT)
    photo.save("webp_animated.webp", save_all=True, append_images=[second], duration=100, quality=70)

    # TIFF: Pillow's writer (libtiff), lossless compressions.
    photo.save("tiff_rgb_lzw.tif", compression="tiff_lzw")
    portrait.save("tiff_rgba_deflate.tif", compression="tiff_adobe_deflate")
    photo.convert("L").save("tiff_gray.tif")
    photo.quantize(16).save("tiff_palette_packbits.tif", compression="packbits")
    photo.convert("1").save("tiff_bilevel_g4.tif", compression="group4")
    photo.convert("CMYK").save("tiff_cmyk.tif")
    # 16-bit grey (Pillow mode I;16), values up to 510: Pillow clips them to 255 when converting.
    gray16 = Image.new("I;16", photo.size)
    gray16.putdata([2 * v for v in photo.convert("L").getdata()])
    gray16.save("tiff_gray16.tif", compression="tiff_adobe_deflate")

    names = sorted(n for n in os.listdir(".") if n.endswith((".jpg", ".webp", ".tif")))
    with open("manifest.tsv", "w") as manifest:
        manifest.write("file\twidth\theight\tpillow_mode\n")
        for name in names:
            image = Image.open(name)
            image.load()
            manifest.write(f"{name}\t{image.width}\t{image.height}\t{image.mode}\n")
            stem = name.rsplit(".", 1)[0]
            with open(stem + ".rgb", "wb") as f:
                f.write(convert_to_rgb(image).tobytes())
            if image.mode == "RGBA":
                with open(stem + ".rgba", "wb") as f:
                    f.write(image.tobytes())


if __name__ == "__main__":
    main(sys.argv[1])
