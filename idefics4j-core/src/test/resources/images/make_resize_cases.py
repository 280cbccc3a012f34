#!/usr/bin/python3
"""Writes resize/<image>_<W>x<H>.rgb: Pillow 9.4's BICUBIC resize of a reference fixture image (decoded as
transformers' convert_to_rgb does; these two are RGB already) to sizes the fixtures lack: one axis only, 1x1,
extreme aspect changes. Run from this folder: /usr/bin/python3 make_resize_cases.py ../../../../../testdata/fixtures
"""
import os
import sys

import PIL
from PIL import Image

assert PIL.__version__ == "9.4.0", PIL.__version__

CASES = {
    "cat_small_20x16.png": [(20, 7), (33, 16), (1, 1), (5, 3), (57, 41)],
    "cat_rgb_97x61.jpg": [(97, 200), (13, 61), (300, 20)],
}

fixtures = sys.argv[1]
os.makedirs("resize", exist_ok=True)
for name, sizes in CASES.items():
    image = Image.open(os.path.join(fixtures, "images", name))
    assert image.mode == "RGB"
    for w, h in sizes:
        with open(f"resize/{name}_{w}x{h}.rgb", "wb") as f:
            f.write(image.resize((w, h), Image.BICUBIC).tobytes())
