"""Render the app icon (packaging/icons/reception-desk.svg) into every file that ships it.

    .venv/bin/python scripts/render_icons.py

Writes, with Qt's own SVG renderer (the one the app uses):
  packaging/icons/hicolor/<N>x<N>/apps/reception-desk.png   for N in 16 24 32 48 64 128 256 (the .deb's icon theme)
  packaging/windows/reception-desk.ico                       the same sizes in one file (Inno Setup, the .exe)
  resources/icons/reception-desk.svg and .png (256)          the window icon, found through resources_dir()
Run it again after editing the SVG and commit the outputs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "packaging" / "icons" / "reception-desk.svg"
HICOLOR = ROOT / "packaging" / "icons" / "hicolor"
ICO = ROOT / "packaging" / "windows" / "reception-desk.ico"
RESOURCES = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return HICOLOR / f"{size}x{size}" / "apps" / "reception-desk.png"


def render(size: int, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG for Qt")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(out)):
        raise SystemExit(f"could not write {out}")


def write_ico() -> None:
    from PIL import Image

    images = [Image.open(png_path(size)).convert("RGBA") for size in SIZES]
    ICO.parent.mkdir(parents=True, exist_ok=True)
    # each size is the one Qt rendered for it, not a downscale of the largest
    images[-1].save(ICO, format="ICO", sizes=[(s, s) for s in SIZES], append_images=images[:-1])


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    for size in SIZES:
        render(size, png_path(size))
    write_ico()
    RESOURCES.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, RESOURCES / "reception-desk.svg")
    shutil.copyfile(png_path(256), RESOURCES / "reception-desk.png")
    del app
    for path in [
        *(png_path(s) for s in SIZES),
        ICO,
        RESOURCES / "reception-desk.svg",
        RESOURCES / "reception-desk.png",
    ]:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
