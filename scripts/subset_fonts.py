"""Make resources/fonts/HanaMinB-subset.ttf: the few HanaMinB characters people's names need, not all 60,000.

    apt-get install fonts-hanazono unicode-data     # the full HanaMinB and the Unihan data (dev time only)
    .venv/bin/pip install -e '.[dev]'               # fontTools
    .venv/bin/python scripts/subset_fonts.py

Keeps every character that WenQuanYi Micro Hei (face 0) and the HanaMinA subset lack and HanaMinB has, out of
  - the 8,105 characters of 《通用规范汉字表》 (2013), read from Unihan's kTGH field
    (/usr/share/unicode/Unihan_OtherMappings.txt.bz2, Debian unicode-data), and
  - tests/data/rare_name_chars.txt (rare characters of personal names and surnames).
Keeps the outlines (glyf), cmap and the metrics; drops hinting, the layout tables (GSUB/GPOS: a name needs no
vertical forms or ligatures), vertical metrics and glyph names. Renames the font "ReceptionDesk HanaMinB Subset" so
it never clashes with an installed HanaMinB (the Hanazono Font License allows modified versions).
"""

from __future__ import annotations

import argparse
import bz2
import sys
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "resources" / "fonts"
RARE_LIST = ROOT / "tests" / "data" / "rare_name_chars.txt"
UNIHAN = Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")
SOURCES = (FONTS / "HanaMinB.ttf", Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"))
OUT = FONTS / "HanaMinB-subset.ttf"
FAMILY = "ReceptionDesk HanaMinB Subset"
POSTSCRIPT = "ReceptionDeskHanaMinBSubset"
DROP_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "vhea", "vmtx", "VORG", "DSIG", "hdmx", "LTSH", "VDMX", "kern"]
DROP_TABLES += ["FFTM"]  # FontForge's timestamps


def rare_name_chars(path: Path = RARE_LIST) -> list[str]:
    """The characters of the rare-name list (first column; # lines are comments)."""
    chars = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            chars.append(line.split("\t", 1)[0])
    return chars


def tongyong_guifan(unihan: Path = UNIHAN) -> set[int]:
    """The code points of 《通用规范汉字表》: Unihan's kTGH ("2013:<number in the table>")."""
    codes = set()
    with bz2.open(unihan, "rt", encoding="utf-8") as lines:
        for line in lines:
            if "\tkTGH\t" in line:
                codes.add(int(line.split("\t", 1)[0][2:], 16))
    return codes


def wanted(source: TTFont, rare: list[str], table: set[int]) -> tuple[list[int], dict[str, int]]:
    """The code points to keep, and counts for the report."""
    wqy = set(TTCollection(str(FONTS / "wqy-microhei.ttc")).fonts[0].getBestCmap())
    hana = set(TTFont(str(FONTS / "HanaMinA-subset.ttf"), lazy=True).getBestCmap())
    hanb = set(source.getBestCmap())
    covered = wqy | hana
    from_rare = {ord(ch) for ch in rare} - covered
    from_table = table - covered
    keep = sorted((from_rare | from_table) & hanb)
    counts = {
        "rare list": len(rare),
        "rare list lacking WenQuanYi and HanaMinA": len(from_rare),
        "通用规范汉字表": len(table),
        "通用规范汉字表 lacking WenQuanYi and HanaMinA": len(from_table),
        "kept": len(keep),
        "wanted but not in HanaMinB": len((from_rare | from_table) - hanb),
    }
    return keep, counts


def rename(font: TTFont) -> None:
    """Name IDs 1/16 family, 4 full name, 6 PostScript name: ours, so an installed HanaMinB is never shadowed."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 16):
            name.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            name.setName(f"{POSTSCRIPT}-Regular", 3, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 4:
            name.setName(f"{FAMILY} Regular", 4, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            name.setName(POSTSCRIPT, 6, record.platformID, record.platEncID, record.langID)


def make(source_path: Path, out: Path, codes: list[int]) -> None:
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.drop_tables = [*options.drop_tables, *DROP_TABLES]
    font = subset.load_font(str(source_path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    for tag in DROP_TABLES:
        if tag in font:
            del font[tag]
    rename(font)
    subset.save_font(font, str(out), options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="the full HanaMinB.ttf (default: resources/fonts or Debian's)")
    parser.add_argument("--unihan", type=Path, default=UNIHAN, help="Unihan_OtherMappings.txt.bz2 (kTGH)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    source = args.source or next((p for p in SOURCES if p.is_file()), None)
    if source is None or not source.is_file():
        print("no full HanaMinB.ttf: apt-get install fonts-hanazono, or pass --source", file=sys.stderr)
        return 2
    if not args.unihan.is_file():
        print(f"no {args.unihan}: apt-get install unicode-data, or pass --unihan", file=sys.stderr)
        return 2
    codes, counts = wanted(TTFont(str(source), lazy=True), rare_name_chars(), tongyong_guifan(args.unihan))
    make(source, args.out, codes)
    for what, n in counts.items():
        print(f"{what}: {n}")
    print(f"{source} ({source.stat().st_size:,} bytes) -> {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
