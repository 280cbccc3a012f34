#!/usr/bin/python3
"""Writes resize/<source>_<W>x<H>_<filter>.rgb: Pillow 9.4's resize of a source image to W x H with one filter, as raw
RGB. Sources: two reference fixture images (RGB already, so decoded as transformers' convert_to_rgb does) and
"checker9x7", a 9x7 black/white/colour checkerboard made here and in PillowResizeTest by the same formula, whose
edges drive Lanczos and bicubic sums past 0 and 255 (clipping). Sizes the fixtures lack: one axis only, 1 pixel,
extreme aspect changes, up- and down-scaling.
Run from this folder: /usr/bin/python3 make_resize_cases.py ../../../../../testdata/fixtures
"""
import os
import sys

import PIL
from PIL import Image

assert PIL.__version__ == "9.4.0", PIL.__version__

CASES = {
    "bicubic": {
        "cat_small_20x16.png": [(20, 7), (33, 16), (1, 1), (5, 3), (57, 41)],
        "cat_rgb_97x61.jpg": [(97, 200), (13, 61), (300, 20)],
    },
    "bilinear": {
        "cat_small_20x16.png": [(20, 7), (33, 16), (1, 1), (1, 16), (57, 41)],
        "cat_rgb_97x61.jpg": [(13, 61), (32, 21)],
        "checker9x7": [(31, 23), (4, 3)],
    },
    "lanczos": {
        "cat_small_20x16.png": [(20, 7), (33, 16), (1, 1), (20, 1), (5, 3), (72, 58)],
        "cat_rgb_97x61.jpg": [(72, 46), (13, 61), (150, 9)],
        "checker9x7": [(31, 23), (4, 3), (9, 40)],
    },
}
FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "lanczos": Image.LANCZOS}


def checker(width, height):
    """Black and white squares, every third white one tinted (so the channels differ)."""
    image = Image.new("RGB", (width, height))
    for y in range(height):
        for x in range(width):
            white = (x + y) % 2 == 0
            tinted = (x + 2 * y) % 3 == 0
            image.putpixel((x, y), ((255, 40, 255) if tinted else (255, 255, 255)) if white else (0, 0, 0))
    return image


def source(name, fixtures):
    if name == "checker9x7":
        return checker(9, 7)
    image = Image.open(os.path.join(fixtures, "images", name))
    assert image.mode == "RGB"
    return image


fixtures = sys.argv[1]
os.makedirs("resize", exist_ok=True)
for filter_name, sources in CASES.items():
    for name, sizes in sources.items():
        image = source(name, fixtures)
        for w, h in sizes:
            with open(f"resize/{name}_{w}x{h}_{filter_name}.rgb", "wb") as f:
                f.write(image.resize((w, h), FILTERS[filter_name]).tobytes())
