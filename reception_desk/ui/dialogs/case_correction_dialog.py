"""更正案件: correct a recorded case (request, instruction, outcome, colour, lead department); its number stays.

The correction is written with the case's version as loaded. When another laptop saved the case meanwhile the
conflict dialog shows its fields theirs and mine: 重新载入 puts theirs in the form and writes nothing, 合并保存
writes theirs plus the fields chosen as mine on the fresh version (and asks again if saved once more).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk.errors import StaleWriteError
from reception_desk.services import row_merge
from reception_desk.services.cases import CaseDetail, CaseInput, case_detail, update_case
from reception_desk.services.plan import DepartmentInfo
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.conflict_dialog import ConflictDialog, FieldConflict, Side
from reception_desk.ui.errors import show_error

FIELDS = ("request", "instruction", "outcome", "colour", "lead_department_id", "co_department_ids")


def case_fields(detail: CaseDetail) -> dict[str, Any]:
    """The fields a correction may change, as a row for row_merge."""
    return {
        "request": detail.request,
        "instruction": detail.instruction,
        "outcome": detail.outcome,
        "colour": detail.colour,
        "lead_department_id": detail.lead_department_id,
        "co_department_ids": tuple(detail.co_department_ids),
    }


class CaseCorrectionDialog(QDialog):
    """The case's correctable fields; 保存更正 writes them with the version loaded (a conflict asks theirs/mine)."""

    saved = Signal(str)  # the case number, once a correction (or a merge) is written

    def __init__(
        self, ctx: AppContext, detail: CaseDetail, departments: list[DepartmentInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseCorrectionDialog")
        self.setWindowTitle(self.tr("更正案件 {0}").format(detail.case_no))
        self.setMinimumWidth(560)
        self.ctx = ctx
        self.detail = detail
        self.base = case_fields(detail)
        self.active_conflict: ConflictDialog | None = None  # the last save conflict shown (tests look at it)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._names = {d.id: d.name for d in departments}
        self._names.update(zip(detail.co_department_ids, detail.co_departments, strict=False))
        if detail.lead_department_id is not None:
            self._names.setdefault(detail.lead_department_id, detail.lead_department)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.request = QPlainTextEdit()
        self.request.setObjectName("correctRequest")
        self.instruction = QPlainTextEdit()
        self.instruction.setObjectName("correctInstruction")
        for edit in (self.request, self.instruction):
            edit.setFixedHeight(72)
        self.outcome = QComboBox()
        self.outcome.setObjectName("correctOutcome")
        for key, label in self._outcomes().items():
            self.outcome.addItem(label, key)
        self.colour = QComboBox()
        self.colour.setObjectName("correctColour")
        for colour, label in self._colours().items():
            self.colour.addItem(label, colour)
        self.lead = QComboBox()
        self.lead.setObjectName("correctLead")
        self.lead.addItem(self.tr("（无）"), None)
        for dept_id, name in self._names.items():
            self.lead.addItem(name, dept_id)
        form.addRow(self.tr("诉求内容"), self.request)
        form.addRow(self.tr("领导意见"), self.instruction)
        form.addRow(self.tr("处理结果"), self.outcome)
        form.addRow(self.tr("颜色分类"), self.colour)
        form.addRow(self.tr("主办单位"), self.lead)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("correctionMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.tr("保存更正"))
        self.save_button.setObjectName("saveCorrection")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.spawn(self.save()))
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self._fill(self.base)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a coroutine and keep it referenced until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _outcomes(self) -> dict[str, str]:
        return {"resolved": self.tr("当场解决"), "handed_over": self.tr("交办"), "explained": self.tr("解释说明")}

    def _colours(self) -> dict[str | None, str]:
        return {None: self.tr("（无）"), "green": self.tr("绿色"), "yellow": self.tr("黄色"), "red": self.tr("红色")}

    def _fill(self, values: dict[str, Any]) -> None:
        self.request.setPlainText(values["request"])
        self.instruction.setPlainText(values["instruction"])
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(values["outcome"])))
        self.colour.setCurrentIndex(max(0, self.colour.findData(values["colour"])))
        self.lead.setCurrentIndex(max(0, self.lead.findData(values["lead_department_id"])))
        self._co = tuple(values["co_department_ids"])  # not edited here; kept as loaded (or as merged)

    def values(self) -> dict[str, Any]:
        """What the form holds, as a row for row_merge."""
        lead = self.lead.currentData()
        return {
            "request": self.request.toPlainText().strip(),
            "instruction": self.instruction.toPlainText().strip(),
            "outcome": self.outcome.currentData(),
            "colour": self.colour.currentData(),
            "lead_department_id": int(lead) if lead is not None else None,
            "co_department_ids": self._co,
        }

    async def save(self) -> None:
        """保存更正: the form on the version loaded."""
        await self._write(self.detail, self.base, self.values())

    async def _write(self, detail: CaseDetail, base: dict[str, Any], mine: dict[str, Any]) -> None:
        data = CaseInput(
            request=mine["request"],
            instruction=mine["instruction"],
            outcome=mine["outcome"],
            colour=mine["colour"],
            lead_department_id=mine["lead_department_id"],
            co_department_ids=list(mine["co_department_ids"]),
        )
        self.save_button.setEnabled(False)
        try:
            await self.ctx.write(update_case, self.ctx.db, detail.case_id, data, self.ctx.actor, detail.version)
        except StaleWriteError:
            await self._resolve_conflict(base, mine)
            return
        except Exception as exc:
            show_error(self, exc)
            return
        finally:
            self.save_button.setEnabled(True)
        self.message.setText(self.tr("已保存更正。"))
        self.saved.emit(detail.case_no)
        self.accept()

    async def _resolve_conflict(self, base: dict[str, Any], mine: dict[str, Any]) -> None:
        """Someone else saved the case meanwhile: theirs and mine per field; reload, or save the merge."""
        try:
            fresh = await self.ctx.read(case_detail, self.ctx.db, self.detail.case_id)
        except Exception as exc:
            show_error(self, exc)
            return
        theirs = case_fields(fresh)
        found = row_merge.clashes(base, mine, theirs, FIELDS)
        if not found:  # they saved what we typed: nothing is lost
            self._loaded(fresh)
            self.message.setText(self.tr("已保存更正。"))
            self.saved.emit(fresh.case_no)
            self.accept()
            return
        labels = {
            "request": self.tr("诉求内容"),
            "instruction": self.tr("领导意见"),
            "outcome": self.tr("处理结果"),
            "colour": self.tr("颜色分类"),
            "lead_department_id": self.tr("主办单位"),
            "co_department_ids": self.tr("协办单位"),
        }
        fields = [
            FieldConflict(
                c.key, labels[c.key], self._shown(c.key, c.theirs), self._shown(c.key, c.mine), c.changed_by_me
            )
            for c in found
        ]
        conflict = ConflictDialog(fields, self.tr("案件 {0}").format(fresh.case_no), self)
        self.active_conflict = conflict
        conflict.accepted.connect(lambda: self.spawn(self._merge(conflict, fresh, theirs, mine)))
        conflict.rejected.connect(lambda: self._reload(fresh))
        conflict.open()

    async def _merge(
        self, conflict: ConflictDialog, fresh: CaseDetail, theirs: dict[str, Any], mine: dict[str, Any]
    ) -> None:
        keep = [key for key, side in conflict.choices().items() if side is Side.MINE]
        merged = row_merge.merge(theirs, mine, keep)
        self._loaded(fresh)
        self._fill(merged)
        if not row_merge.changes(merged, theirs):
            self._reload(fresh)
            return
        await self._write(fresh, theirs, merged)

    def _loaded(self, fresh: CaseDetail) -> None:
        self.detail = fresh
        self.base = case_fields(fresh)

    def _reload(self, fresh: CaseDetail) -> None:
        """重新载入: the form shows theirs; nothing is written."""
        self._loaded(fresh)
        self._fill(self.base)
        self.message.setText(self.tr("已重新载入案件 {0}（采用他人保存的内容）").format(fresh.case_no))

    def _shown(self, key: str, value: Any) -> str:
        if key == "outcome":
            return self._outcomes().get(value, str(value))
        if key == "colour":
            return self._colours().get(value, str(value))
        if key == "lead_department_id":
            return self._names.get(value, "") if value is not None else ""
        if key == "co_department_ids":
            return "、".join(self._names.get(d, str(d)) for d in value)
        return str(value or "")
