"""Where the shipped resources (fonts/, translations/, sounds/, icons/) and the migrations are.

Three layouts, tried in this order:
- a frozen (PyInstaller) build: `<sys._MEIPASS>/reception_desk/_resources`, where packaging/reception-desk.spec puts
  them;
- an installed wheel: the package `reception_desk._resources` (pyproject.toml maps the repository's top-level
  resources/ folder to it), found through importlib.resources;
- a source checkout or an editable install: resources/ beside the package.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = "reception_desk"
INSTALLED_NAME = "_resources"  # reception_desk/_resources in a wheel and in a frozen build
_HERE = Path(__file__).resolve().parent
MAIN_FONT = "wqy-microhei.ttc"


def _frozen_root() -> Path | None:
    """The folder a PyInstaller build unpacks to (one-folder: its _internal/), or None when not frozen."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(getattr(sys, "_MEIPASS", Path(sys.executable).resolve().parent))


def package_path(package: str, *parts: str) -> Path:
    """A file or folder inside one of our packages as a real path on disk (Alembic and Qt want paths).

    Wheels install as plain folders and PyInstaller's importer answers importlib.resources with paths under
    _MEIPASS, so the Traversable is a Path; a zipped installation is not supported and raises."""
    from importlib import resources as importlib_resources  # ~8 ms cold; the CLI's quick commands skip it

    found = importlib_resources.files(package).joinpath(*parts)
    if isinstance(found, Path):
        return found
    raise FileNotFoundError(f"{package}/{'/'.join(parts)} is not a folder on disk ({found!r}): install unzipped")


def _installed() -> list[Path]:
    try:
        return [package_path(PACKAGE, INSTALLED_NAME)]
    except FileNotFoundError:
        return []


def _candidates() -> Iterator[Path]:
    frozen = _frozen_root()
    if frozen is not None:
        yield frozen / PACKAGE / INSTALLED_NAME
    yield from _installed()  # an installed wheel
    yield _HERE.parent / "resources"  # a source checkout (also what an editable install sees)


@cache
def resources_dir() -> Path:
    """The resources folder (fonts/, translations/, sounds/, icons/); looked up once (a missing one is not kept)."""
    tried = []
    for candidate in _candidates():
        if (candidate / "fonts").is_dir():
            return candidate
        tried.append(str(candidate))
    raise FileNotFoundError(
        "the resources folder (fonts, translations) is missing from this installation; looked in " + ", ".join(tried)
    )


def migrations_dir() -> Path:
    """The Alembic scripts (env.py, script.py.mako, versions/), a package of their own inside the wheel."""
    return package_path(f"{PACKAGE}.db", "migrations")


def font_path(name: str) -> Path:
    """A shipped font file."""
    return resources_dir() / "fonts" / name
