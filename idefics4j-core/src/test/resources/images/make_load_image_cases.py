#!/usr/bin/python3
"""Writes load_image/<name>.rgb: what transformers' load_image gives for the images here and the reference fixture
images that are not RGB, i.e. Pillow 9.4's Image.open(name).convert("RGB") (alpha dropped without compositing; none
of these has an EXIF orientation), as raw interleaved 8-bit RGB rows.
Run from this folder: /usr/bin/python3 make_load_image_cases.py ../../../../../testdata/fixtures
"""
import os
import sys

import PIL
from PIL import Image

assert PIL.__version__ == "9.4.0", PIL.__version__

HERE = ["rgba16.png", "gray16_trns.png", "gray_trns.png", "gray4_trns.png", "palette_trns.png", "rgb_trns.png",
        "lossless_alpha.webp", "gif_offset_trns.gif", "bilevel.png"]
FIXTURES = ["astronaut_rgba_64x80.png", "camera_la_40x40.png", "coffee_palette_48x48.gif", "camera_gray_50x40.png"]

fixtures = sys.argv[1]
os.makedirs("load_image", exist_ok=True)
for name, path in [(n, n) for n in HERE] + [(n, os.path.join(fixtures, "images", n)) for n in FIXTURES]:
    with open(f"load_image/{name}.rgb", "wb") as f:
        f.write(Image.open(path).convert("RGB").tobytes())
