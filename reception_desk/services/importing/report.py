"""What an import did (or, in a preview, would do) with each row of the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from reception_desk.services.changes import ChangeSet

IMPORTED_REASON = "已导入"


class Outcome(Enum):
    """The verdict on one data row."""

    IMPORTED = "imported"
    WARNING = "warning"  # imported, with something the desk should check
    REJECTED = "rejected"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        """Chinese name shown to users."""
        return {
            "imported": "已导入",
            "warning": "已导入（有提示）",
            "rejected": "未导入",
            "duplicate": "重复，未导入",
        }[self.value]


@dataclass(frozen=True, slots=True)
class RowVerdict:
    """A row of the file (numbered as Excel shows it) and why it got its verdict, in Chinese."""

    row: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        """{"row": n, "reason": "..."}."""
        return {"row": self.row, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """One line of the import wizard's table: row, verdict, reason and the lead's name."""

    row: int
    outcome: Outcome
    reason: str
    name: str = ""


@dataclass
class ImportReport:
    """The verdicts of one import: counts, the rows that were refused or need a look, and the change-set."""

    file_name: str = ""
    sheet: str = ""
    imported: int = 0  # batches
    people: int = 0  # sum of the headcounts of the imported batches
    rejected: list[RowVerdict] = field(default_factory=list)
    warnings: list[RowVerdict] = field(default_factory=list)  # imported, but with a warning
    duplicates: list[RowVerdict] = field(default_factory=list)
    repeats: list[RowVerdict] = field(default_factory=list)  # imported: the person has a case on an earlier day
    skipped: int = 0  # total rows (合计/总计) left out; blank rows are not counted
    rows: list[RowOutcome] = field(default_factory=list)
    notices: list[RowVerdict] = field(default_factory=list)  # about the file, not a data row (a header used twice)
    changes: ChangeSet = field(default_factory=ChangeSet)

    def add(self, outcome: Outcome, row: int, reason: str, name: str = "") -> None:
        """Record the verdict on one row."""
        verdict = RowVerdict(row, reason)
        if outcome is Outcome.REJECTED:
            self.rejected.append(verdict)
        elif outcome is Outcome.DUPLICATE:
            self.duplicates.append(verdict)
        elif outcome is Outcome.WARNING:
            self.warnings.append(verdict)
        self.rows.append(RowOutcome(row, outcome, reason, name))

    def summary(self) -> str:
        """One Chinese line for a status bar: 导入 12 批 30 人，提示 3 行，未导入 2 行，重复 1 行。"""
        parts = [f"导入 {self.imported} 批 {self.people} 人"]
        if self.warnings:
            parts.append(f"需核对 {len(self.warnings)} 行")
        if self.rejected:
            parts.append(f"未导入 {len(self.rejected)} 行")
        if self.duplicates:
            parts.append(f"重复 {len(self.duplicates)} 行")
        if self.repeats:
            parts.append(f"重复访 {len(self.repeats)} 批")
        return "，".join(parts) + "。"

    def to_json(self) -> dict[str, Any]:
        """The --json form: imported, people, rejected/warnings/duplicates/notices as [{"row", "reason"}], skipped."""
        return {
            "imported": self.imported,
            "people": self.people,
            "rejected": [v.to_json() for v in self.rejected],
            "warnings": [v.to_json() for v in self.warnings],
            "duplicates": [v.to_json() for v in self.duplicates],
            "skipped": self.skipped,
            "repeats": [v.to_json() for v in self.repeats],
            "notices": [v.to_json() for v in self.notices],
        }
