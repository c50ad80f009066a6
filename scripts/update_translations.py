"""Rebuild the English translation: lupdate the UI sources, fill in resources/translations/en/*.json, lrelease.

    .venv/bin/python scripts/update_translations.py [--check]

Chinese is the source language of the UI; each page keeps its English in a JSON file {"中文": "English"}.
A string translated with a disambiguation (self.tr("接待室", "short")) may have its own key "接待室|short"
(English for a narrow place); without one it takes the plain key's English.
--check exits 1 when a UI string has no English (used by the tests).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "reception_desk" / "ui"
TRANSLATIONS = ROOT / "resources" / "translations"
TS = TRANSLATIONS / "reception_desk_en.ts"
QM = TRANSLATIONS / "reception_desk_en.qm"


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(f"pyside6-{name}"))


def dictionary() -> dict[str, str]:
    """Every page's Chinese → English pairs."""
    words: dict[str, str] = {}
    for file in sorted((TRANSLATIONS / "en").glob("*.json")):
        words.update(json.loads(file.read_text(encoding="utf-8")))
    return words


def extract(target: Path) -> None:
    """Run lupdate over every UI source file into target (.ts)."""
    sources = sorted(str(p) for p in UI.rglob("*.py"))
    subprocess.run(
        [
            _tool("lupdate"),
            "-no-obsolete",
            "-source-language",
            "zh_CN",
            "-target-language",
            "en_GB",
            *sources,
            "-ts",
            str(target),
        ],
        check=True,
        capture_output=True,
    )


def fill(ts_file: Path, words: dict[str, str]) -> list[str]:
    """Put the English into the .ts; returns the sources that have none."""
    tree = ET.parse(ts_file)
    missing = []
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        # self.tr("接待室", "short") is looked up as "接待室|short" first: one place may need other English
        comment = message.findtext("comment") or ""
        english = (words.get(f"{source}|{comment}") if comment else None) or words.get(source)
        if english:
            translation.text = english
            translation.attrib.pop("type", None)
        else:
            missing.append(source)
    tree.write(ts_file, encoding="utf-8", xml_declaration=True)
    return sorted(set(missing))


def main() -> int:
    """Rebuild (or with --check only verify) the English translation."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="only report strings without English")
    args = parser.parse_args()
    words = dictionary()
    with tempfile.TemporaryDirectory() as tmp:
        ts = Path(tmp) / "check.ts" if args.check else TS
        extract(ts)
        missing = fill(ts, words)
    if missing:
        print(f"{len(missing)} UI strings have no English:", *missing, sep="\n  ", file=sys.stderr)
    if args.check:
        return 1 if missing else 0
    subprocess.run([_tool("lrelease"), str(TS), "-qm", str(QM)], check=True, capture_output=True)
    print(f"{TS.relative_to(ROOT)} and {QM.relative_to(ROOT)} rebuilt; {len(missing)} strings without English")
    return 0


if __name__ == "__main__":
    sys.exit(main())
