"""Change-sets: what an operation changed, so every view can refresh only what it shows."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("days", "rooms", "batches", "visitors", "cases", "departments", "users")


@dataclass
class ChangeSet:
    """Ids of the rows an operation created, changed or removed, by kind."""

    days: set[int] = field(default_factory=set)
    rooms: set[int] = field(default_factory=set)
    batches: set[int] = field(default_factory=set)
    visitors: set[int] = field(default_factory=set)
    cases: set[int] = field(default_factory=set)
    departments: set[int] = field(default_factory=set)
    users: set[int] = field(default_factory=set)
    full: bool = False  # something changed that was not itemised (another laptop): reload everything

    @classmethod
    def everything(cls) -> ChangeSet:
        """A change-set that asks every view to reload."""
        return cls(full=True)

    def merge(self, other: ChangeSet) -> ChangeSet:
        """Add another change-set's ids to this one."""
        for name in KINDS:
            getattr(self, name).update(getattr(other, name))
        self.full = self.full or other.full
        return self

    def __bool__(self) -> bool:
        return self.full or any(getattr(self, name) for name in KINDS)
