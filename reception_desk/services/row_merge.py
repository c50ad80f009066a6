"""Theirs plus mine for one row: which fields of an edit clash with what another laptop saved meanwhile.

Qt-free. A row is a dict of field → value in three states: `base` (what the user loaded and started from), `mine`
(what he typed) and `theirs` (fresh from the database, saved by someone else). A field clashes when mine and
theirs differ; the user then keeps theirs or mine per field and the merge is written on the fresh version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Clash:
    """A field where the saved value (theirs) and the edit (mine) differ; changed_by_me: the edit changed it."""

    key: str
    theirs: Any
    mine: Any
    changed_by_me: bool


def clashes(
    base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any], keys: Iterable[str] | None = None
) -> list[Clash]:
    """The fields (in `keys` order, by default mine's) whose value differs between theirs and mine."""
    found = []
    for key in mine if keys is None else keys:
        if mine.get(key) != theirs.get(key):
            found.append(Clash(key, theirs.get(key), mine.get(key), mine.get(key) != base.get(key)))
    return found


def merge(theirs: Mapping[str, Any], mine: Mapping[str, Any], keep_mine: Iterable[str]) -> dict[str, Any]:
    """Theirs with the fields named in `keep_mine` taken from mine."""
    out = dict(theirs)
    for key in keep_mine:
        if key in mine:
            out[key] = mine[key]
    return out


def changes(merged: Mapping[str, Any], theirs: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a merge writes over theirs (nothing when the user kept theirs everywhere)."""
    return {key: value for key, value in merged.items() if theirs.get(key) != value}
