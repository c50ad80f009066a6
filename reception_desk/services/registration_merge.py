"""Theirs plus mine: the fields of a registration edit that clash with what another laptop saved meanwhile."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reception_desk.domain import resident_id
from reception_desk.domain.themes import BY_CODE
from reception_desk.services.registrations import PersonInput, RegistrationInput


def _companions(data: RegistrationInput) -> str:
    return "、".join(
        p.name + (f" {resident_id.mask(p.id_number)}" if p.id_number else "") for p in data.companions if p.name
    )


def _theme(data: RegistrationInput) -> str:
    theme = BY_CODE.get(data.theme_code)
    return theme.name if theme is not None else data.theme_code


# key → how a field reads for the user (IDs masked); the same keys as merge() understands
FIELDS: dict[str, Callable[[RegistrationInput], str]] = {
    "lead_name": lambda d: d.lead.name,
    "lead_id": lambda d: resident_id.mask(d.lead.id_number) if d.lead.id_number else "",
    "lead_phone": lambda d: d.lead.phone,
    "companions": _companions,
    "headcount": lambda d: str(d.headcount or ""),
    "theme_code": _theme,
    "request": lambda d: d.request,
    "township": lambda d: d.township,
    "village": lambda d: d.village,
}


@dataclass(frozen=True)
class Clash:
    """A field where the saved value (theirs) and the edit (mine) differ; changed_by_me: the edit changed it."""

    key: str
    theirs: str
    mine: str
    changed_by_me: bool


def clashes(base: RegistrationInput, mine: RegistrationInput, theirs: RegistrationInput) -> list[Clash]:
    """The fields that differ between theirs and mine, in form order (base: what the edit started from)."""
    found = []
    for key, text in FIELDS.items():
        if text(mine) != text(theirs):
            found.append(Clash(key, text(theirs), text(mine), text(mine) != text(base)))
    return found


def merge(theirs: RegistrationInput, mine: RegistrationInput, keep_mine: Iterable[str]) -> RegistrationInput:
    """Theirs with the fields named in `keep_mine` taken from mine."""
    out = copy.deepcopy(theirs)
    lead = PersonInput(out.lead.name, out.lead.id_number, out.lead.phone)
    for key in keep_mine:
        if key == "lead_name":
            lead.name = mine.lead.name
        elif key == "lead_id":
            lead.id_number = mine.lead.id_number
        elif key == "lead_phone":
            lead.phone = mine.lead.phone
        elif key == "companions":
            out.companions = copy.deepcopy(mine.companions)
        elif key in FIELDS:
            setattr(out, key, getattr(mine, key))
    out.lead = lead
    return out
