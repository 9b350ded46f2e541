"""Image-only scanned signature pages: drawn with Pillow, then noised and slightly rotated like a scan."""

from __future__ import annotations

import io
import random
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from pipeline.demo import model as M
from pipeline.demo.typography import FONT_DIRS

DPI = 150
SIZES = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default()


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width:  # type: ignore[arg-type]
            line = trial
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def scan_image(block: M.Signatures, seed: int, page_size: str, key: str) -> bytes:
    """A JPEG of a signed page (grid of signatory blocks with scribbles), noised and rotated 0.3-1.2°."""
    rng = random.Random(f"{seed}:scan:{key}:{block.title}")
    w_in, h_in = SIZES.get(page_size, SIZES["A4"])
    width, height = int(w_in * DPI), int(h_in * DPI)
    page = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(page)
    margin = int(0.8 * DPI)
    draw.text((margin, margin), block.title.upper(), fill=20, font=_font(30, True))
    draw.text((margin, margin + 50), block.intro, fill=30, font=_font(22))
    cols, top = 2, margin + 110
    cell_w = (width - 2 * margin) // cols
    cell_h = min(300, (height - top - margin) // max(1, (len(block.blocks) + 1) // cols))
    for k, sig in enumerate(block.blocks):
        x = margin + (k % cols) * cell_w
        y = top + (k // cols) * cell_h
        draw.rectangle([x + 4, y + 4, x + cell_w - 8, y + cell_h - 8], outline=90, width=2)
        ty = y + 14
        for line in _wrap(draw, M.seg_text(sig.segments), _font(22, True), cell_w - 40):
            draw.text((x + 18, ty), line, fill=15, font=_font(22, True))
            ty += 28
        draw.text((x + 18, ty + 4), f"{sig.person}, {sig.title}", fill=40, font=_font(20))
        points = [(x + 40 + j * 18, y + cell_h - 70 + rng.randint(-22, 22)) for j in range(10)]
        draw.line(points, fill=rng.randint(20, 70), width=3)
        if rng.random() < 0.4:
            cx, cy = x + cell_w - 90, y + cell_h - 80
            draw.ellipse([cx - 45, cy - 45, cx + 45, cy + 45], outline=110, width=3)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 14, (height, width))
    page = Image.fromarray(np.clip(np.asarray(page, dtype=np.float32) + noise, 0, 255).astype(np.uint8))
    speckles = ImageDraw.Draw(page)
    for _ in range(600):
        px, py = rng.randrange(width), rng.randrange(height)
        speckles.point((px, py), fill=rng.randint(60, 160))
    angle = rng.choice([-1, 1]) * rng.uniform(0.3, 1.2)
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=245)
    page = page.filter(ImageFilter.GaussianBlur(0.4))
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=72, optimize=False)
    return buffer.getvalue()
