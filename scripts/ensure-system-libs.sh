#!/usr/bin/env bash
# The system libraries Qt needs on a bare Debian/Ubuntu: offscreen rendering and printing always; a real X window
# (xcb) and Xvfb for the window test. Installs only what is missing, and only when it can (root or sudo).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QT="$("$ROOT/.venv/bin/python" -c 'import PySide6, pathlib; print(pathlib.Path(PySide6.__file__).parent / "Qt")' 2>/dev/null)"
[ -n "$QT" ] || exit 0

OFFSCREEN_PKGS="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libcups2"
TOOLS_PKGS="poppler-utils"  # pdftoppm: the printing tests render PDF pages to check them
DESKTOP_PKGS="desktop-file-utils"  # desktop-file-validate: tests/packaging checks the menu entry
XCB_PKGS="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 xvfb xauth"

missing_libs() {
  for f in "$QT/lib/libQt6Widgets.so.6" "$QT/lib/libQt6PrintSupport.so.6" "$QT/lib/libQt6Pdf.so.6" \
           "$QT/plugins/platforms/libqoffscreen.so" "$@"; do
    [ -e "$f" ] && ldd "$f" 2>/dev/null | grep "not found"
  done
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

need=""
if [ -n "$(missing_libs)" ]; then need="$OFFSCREEN_PKGS"; fi
if [ -n "$(missing_libs "$QT/plugins/platforms/libqxcb.so")" ] || ! command -v xvfb-run >/dev/null; then
  need="$need $XCB_PKGS"
fi
command -v pdftoppm >/dev/null || need="$need $TOOLS_PKGS"
command -v desktop-file-validate >/dev/null || need="$need $DESKTOP_PKGS"
[ -n "$need" ] || exit 0
if command -v apt-get >/dev/null; then
  echo "Installing system libraries for Qt: $need" >&2
  as_root apt-get update -qq >/dev/null 2>&1
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1 \
    || echo "Could not install: $need (see README: system libraries)" >&2
else
  echo "Qt needs these system libraries (Debian names): $need" >&2
fi
exit 0
