"""The app icon: one SVG of shapes, the PNG sizes and the .ico rendered from it, and the window showing it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from PIL import Image, ImageChops
from PIL.IcoImagePlugin import IcoFile

ROOT = Path(__file__).resolve().parents[2]
SVG = ROOT / "packaging" / "icons" / "reception-desk.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)
HEADER_RED = (0xB3, 0x26, 0x1E)  # main_window.py: #header { background: #b3261e; }


def _png(size: int) -> Path:
    return ROOT / "packaging" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "reception-desk.png"


def _pixel(image: Image.Image, x: int, y: int) -> tuple[int, int, int, int]:
    r, g, b, a = cast(tuple[int, int, int, int], image.getpixel((x, y)))
    return r, g, b, a


def _near(rgb: tuple[int, ...], target: tuple[int, int, int], tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb[:3], target, strict=True))


def test_the_svg_is_shapes_only_and_valid_for_qt(qapp: object) -> None:
    from PySide6.QtSvg import QSvgRenderer

    text = SVG.read_text(encoding="utf-8")
    assert not re.search(r"<text|font-family|<image|xlink:href", text)  # no font, no embedded bitmap
    renderer = QSvgRenderer(str(SVG))
    assert renderer.isValid()
    assert renderer.viewBox().width() == renderer.viewBox().height() == 256


@pytest.mark.parametrize("size", SIZES)
def test_each_png_is_the_svg_rendered_at_its_size(size: int) -> None:
    image = Image.open(_png(size))
    assert image.size == (size, size) and image.mode == "RGBA"
    rgba = image.convert("RGBA")
    assert _pixel(rgba, 0, 0)[3] == 0  # a rounded corner: transparent
    assert _near(_pixel(rgba, size // 16, size // 2), HEADER_RED, 40)  # the red square at the left edge
    # white figure in the middle: the person's body (y 7/16 .. 9/16) and the counter top (y 12/16)
    assert _pixel(rgba, size // 2, size * 9 // 16)[:3] == (255, 255, 255)
    assert _pixel(rgba, size // 2, size * 12 // 16)[:3] == (255, 255, 255)


def test_pngs_and_ico_are_up_to_date_with_the_svg(tmp_path: Path) -> None:
    """scripts/render_icons.py run now gives the committed files back (an edited SVG needs a re-render)."""
    work = tmp_path / "repo"
    for name in ("scripts/render_icons.py", "packaging/icons/reception-desk.svg"):
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes((ROOT / name).read_bytes())
    proc = subprocess.run(
        [sys.executable, str(work / "scripts" / "render_icons.py")],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    for size in SIZES:
        rel = _png(size).relative_to(ROOT)
        fresh, committed = Image.open(work / rel).convert("RGBA"), Image.open(ROOT / rel).convert("RGBA")
        extrema = cast(tuple[tuple[int, int], ...], ImageChops.difference(fresh, committed).getextrema())
        worst = max(high for _, high in extrema)
        assert worst <= 8, f"{rel} differs from the SVG rendered now: run scripts/render_icons.py"
    # the app's copies (resources/icons, found through resources_dir() in a checkout, a wheel and a frozen build)
    assert (ROOT / "resources" / "icons" / "reception-desk.svg").read_bytes() == SVG.read_bytes()
    assert (ROOT / "resources" / "icons" / "reception-desk.png").read_bytes() == _png(256).read_bytes()


def test_the_ico_holds_every_size_as_rendered() -> None:
    ico = IcoFile((ROOT / "packaging" / "windows" / "reception-desk.ico").open("rb"))
    assert sorted(ico.sizes()) == [(s, s) for s in SIZES]
    for size in SIZES:
        frame = ico.getimage((size, size)).convert("RGBA")
        assert ImageChops.difference(frame, Image.open(_png(size)).convert("RGBA")).getbbox() is None


def test_the_window_shows_the_icon(tmp_path: Path) -> None:
    """The app as started (run_gui) sets the window icon from resources/icons and the desktop entry's id."""
    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from reception_desk.ui.app import run_gui\n"
        "def ready(w):\n"
        "    app = QApplication.instance()\n"
        "    image = w.windowIcon().pixmap(32, 32).toImage()\n"
        "    c = image.pixelColor(2, 16)\n"
        "    print(app.windowIcon().isNull(), max(s.width() for s in app.windowIcon().availableSizes()),\n"
        "          app.desktopFileName(), app.applicationName(), c.red(), c.green(), c.blue(), sep='|', flush=True)\n"
        "sys.exit(run_gui(sys.argv[1], 'zh', 't', True, on_ready=ready))"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "fresh.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    null, largest, desktop, name, *rgb = proc.stdout.strip().split("|")
    assert null == "False" and int(largest) == 256
    assert desktop == "reception-desk"  # packaging/linux/reception-desk.desktop
    assert name == "Reception Desk"  # Qt's X11 WM_CLASS class: the entry's StartupWMClass
    assert _near(tuple(int(v) for v in rgb), HEADER_RED, 40)
