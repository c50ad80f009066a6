"""Can Qt open a window here? Say so in one line instead of letting Qt abort.

A display that is set but does not answer (a stale DISPLAY=:99, an ssh -X session gone) makes Qt abort with
SIGABRT; a connect() to the X or Wayland socket finds that out in a millisecond before QApplication exists.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path

HEADLESS_HINT = {
    "zh": "没有可用的图形显示（{why}）。可用 QT_QPA_PLATFORM=offscreen 在后台运行，"
    "或用 xvfb-run reception-desk 在虚拟屏幕上运行。",
    "en": "No graphical display is available ({why}). Run in the background with QT_QPA_PLATFORM=offscreen, "
    "or on a virtual screen with xvfb-run reception-desk.",
}
NOT_SET = {"zh": "未设置 DISPLAY / WAYLAND_DISPLAY", "en": "neither DISPLAY nor WAYLAND_DISPLAY is set"}
UNREACHABLE = {"zh": "{display} 无法连接", "en": "{display} does not answer"}
XCB_LIBS_HINT = {
    "zh": "Qt 的 xcb 平台插件缺少系统库：{libs}。Debian/Ubuntu 上请安装：apt-get install libxcb-cursor0 "
    "libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0",
    "en": "Qt's xcb platform plugin lacks system libraries: {libs}. On Debian/Ubuntu install: apt-get install "
    "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 "
    "libxkbcommon-x11-0",
}
PROBE_TIMEOUT_S = 1.0
_X_DISPLAY = re.compile(r"^(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?$")


def _missing_xcb_libs() -> list[str]:
    import subprocess

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


def _connects(family: int, address: str | tuple[str, int]) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(PROBE_TIMEOUT_S)
            sock.connect(address)
        return True
    except OSError:
        return False


def x_display_answers(display: str) -> bool:
    """Whether the X server of `display` accepts a connection (its Unix socket, abstract socket or TCP port)."""
    match = _X_DISPLAY.match(display)
    if match is None:
        return True  # a form we do not know (a launchd path...): let Qt try
    host, number = match["host"], int(match["number"])
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        return _connects(socket.AF_UNIX, path) or _connects(socket.AF_UNIX, "\0" + path)
    if host.startswith("/"):
        return True
    return _connects(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET, (host.strip("[]"), 6000 + number))


def wayland_display_answers(name: str) -> bool:
    """Whether the Wayland compositor's socket ($XDG_RUNTIME_DIR/$WAYLAND_DISPLAY) accepts a connection."""
    path = name if name.startswith("/") else os.path.join(os.environ.get("XDG_RUNTIME_DIR", ""), name)
    return _connects(socket.AF_UNIX, path)


def display_problem(lang: str = "zh") -> str | None:
    """None when a window can open; else a one-line explanation in the chosen language."""
    if not sys.platform.startswith("linux"):
        return None
    lang = lang if lang in HEADLESS_HINT else "zh"
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: Qt knows what to do
    x_display = os.environ.get("DISPLAY", "")
    wayland = os.environ.get("WAYLAND_DISPLAY", "") if not platform else ""
    if not x_display and not wayland:
        return HEADLESS_HINT[lang].format(why=NOT_SET[lang])
    if not (x_display and x_display_answers(x_display)) and not (wayland and wayland_display_answers(wayland)):
        shown = " / ".join(f"{k}={v}" for k, v in (("DISPLAY", x_display), ("WAYLAND_DISPLAY", wayland)) if v)
        return HEADLESS_HINT[lang].format(why=UNREACHABLE[lang].format(display=shown))
    if x_display and (missing := _missing_xcb_libs()):
        return XCB_LIBS_HINT[lang].format(libs=", ".join(missing))
    return None
