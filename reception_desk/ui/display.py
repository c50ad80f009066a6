"""Can Qt open a window here? Say so in one line instead of letting Qt abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEADLESS_HINT = (
    "没有可用的图形显示（未设置 DISPLAY / WAYLAND_DISPLAY）。可用 QT_QPA_PLATFORM=offscreen 在后台运行，"
    "或用 xvfb-run reception-desk 在虚拟屏幕上运行。"
)
XCB_LIBS_HINT = (
    "Qt 的 xcb 平台插件缺少系统库：{libs}。Debian/Ubuntu 上请安装：apt-get install libxcb-cursor0 "
    "libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0"
)


def _missing_xcb_libs() -> list[str]:
    try:
        import PySide6
    except ImportError:
        return []
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return []
    try:
        out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split()[0] for line in out.splitlines() if "not found" in line]


def display_problem() -> str | None:
    """None when a window can open; else a one-line explanation in Chinese."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: Qt knows what to do
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return HEADLESS_HINT
    if os.environ.get("DISPLAY") and (missing := _missing_xcb_libs()):
        return XCB_LIBS_HINT.format(libs=", ".join(missing))
    return None
