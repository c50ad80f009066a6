"""The change bus: every write's change-set reaches every page; other laptops' writes arrive the same way."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from reception_desk.services.changes import ChangeSet


class ChangeBus(QObject):
    """Publishes change-sets. `changed` carries a ChangeSet; `full` set means: reload everything."""

    changed = Signal(object)

    def publish(self, changes: ChangeSet) -> None:
        """Tell every page what changed."""
        if changes:
            self.changed.emit(changes)
