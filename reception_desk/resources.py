"""Where the shipped resources (fonts, translations) are: beside the package in a checkout, inside it when installed."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The resources folder (fonts/, translations/)."""
    for candidate in (_HERE.parent / "resources", _HERE / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the resources folder (fonts, translations) is missing from this installation")


def font_path(name: str) -> Path:
    """A shipped font file."""
    return resources_dir() / "fonts" / name


MAIN_FONT = "wqy-microhei.ttc"
