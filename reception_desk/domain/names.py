"""Personal names: stray spaces cleaned (rare characters and middle dots kept exactly); pinyin initials."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])[\s\u3000]+(?=[^\x00-\x7f])")
_SPACES = re.compile(r"[\s\u3000]+")


def clean_name(raw: object) -> str:
    """A name cell without stray spaces: '王 学德 ' → '王学德'; 'Ali  Khan' keeps one space."""
    if raw is None:
        return ""
    text = str(raw).replace("\u00a0", " ").strip().strip("\u3000").strip()
    text = _CJK_SPACE.sub("", text)
    return _SPACES.sub(" ", text)


def clean_text(raw: object) -> str:
    """Any text cell: stripped, runs of spaces folded, line breaks kept. Numbers lose a trailing '.0'."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


@lru_cache(maxsize=65536)
def initials(name: str) -> str:
    """Lower-case pinyin initials for search: 王学德 → wxd. Other letters are kept, other signs dropped."""
    from pypinyin import Style, lazy_pinyin  # imported on first use: it takes ~0.2 s to load its dictionaries

    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    out = []
    for part in letters:
        for ch in part:
            if ch.isascii() and ch.isalnum():
                out.append(ch.lower())
    return "".join(out)


def is_name_like(text: str) -> bool:
    """True when the text could be a person's name (has a letter, not only signs and digits)."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)
