#!/usr/bin/env bash
# The frozen build (PyInstaller one-folder, packaging/reception-desk.spec) -> dist/reception-desk/, then the Debian
# package -> dist/reception-desk_<version>_amd64.deb: the folder under /opt/reception-desk, `reception-desk` on the
# PATH (/usr/bin), the menu entry and the icons.
#
#     scripts/package.sh            # both
#     scripts/package.sh --no-deb   # only the frozen folder
#
# Needs the dev extras (pyinstaller) in .venv (scripts/bootstrap.sh) and dpkg-deb. PRUNE=0 builds without excluding the
# unused Qt modules (to measure them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
make_deb=1
[ "${1:-}" = "--no-deb" ] && make_deb=0

[ -x "$ROOT/.venv/bin/pyinstaller" ] || "$PY" -m pip install -q -e ".[dev]"
VERSION="$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"

start=$(date +%s)
rm -rf dist/reception-desk
"$ROOT/.venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/reception-desk.spec
echo "frozen build: dist/reception-desk ($(du -sh dist/reception-desk | cut -f1), $(($(date +%s) - start)) s)"
[ "$make_deb" = 1 ] || exit 0

DEB="dist/reception-desk_${VERSION}_amd64.deb"
STAGE="build/deb/reception-desk"
rm -rf "$STAGE" "$DEB"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications"
cp -a dist/reception-desk "$STAGE/opt/reception-desk"
# a small wrapper, not a symlink: PyInstaller's bootloader finds _internal/ from its own path either way, but a
# wrapper keeps `ps` and error messages showing the real program
cat >"$STAGE/usr/bin/reception-desk" <<'SH'
#!/bin/sh
exec /opt/reception-desk/reception-desk "$@"
SH
chmod 0755 "$STAGE/usr/bin/reception-desk"
if [ -f packaging/linux/reception-desk.desktop ]; then
  install -m 0644 packaging/linux/reception-desk.desktop "$STAGE/usr/share/applications/reception-desk.desktop"
else
  echo "packaging/linux/reception-desk.desktop is missing: the .deb has no menu entry" >&2
fi
icons=0
for png in packaging/icons/hicolor/*/apps/reception-desk.png; do
  [ -f "$png" ] || continue
  size="$(basename "$(dirname "$(dirname "$png")")")"
  install -D -m 0644 "$png" "$STAGE/usr/share/icons/hicolor/$size/apps/reception-desk.png"
  icons=$((icons + 1))
done
if [ -f packaging/icons/reception-desk.svg ]; then
  install -D -m 0644 packaging/icons/reception-desk.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/reception-desk.svg"
fi
[ "$icons" -gt 0 ] || echo "packaging/icons/hicolor/*/apps/reception-desk.png are missing: the .deb has no icon" >&2

SIZE_KB="$(du -sk "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE_KB@/$SIZE_KB/" packaging/deb/control.in >"$STAGE/DEBIAN/control"
install -m 0755 packaging/deb/postinst packaging/deb/postrm "$STAGE/DEBIAN/"
# xz level 2: 79 MB in ~25 s here; the default level 6 saves 6 MB more and takes ~200 s (XZ_LEVEL=6 for a release).
# --root-owner-group: files owned by root without fakeroot
dpkg-deb --root-owner-group -Zxz -z"${XZ_LEVEL:-2}" --build "$STAGE" "$DEB" >/dev/null
echo "Debian package: $DEB ($(du -h "$DEB" | cut -f1)); $(($(date +%s) - start)) s in all"
