"""The one-line legend of the room board: what [重] [集] [证] [推] [复], grey, bold, ▶ and ⚠ mean on a card.

Each entry has a tooltip with the details; entries that do not fit the width are left out of the line (the
legend's own tooltip still lists them all), so the legend never widens the window.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QSizePolicy, QWidget

from reception_desk.domain.batches import Flag
from reception_desk.ui.widgets.room_card import MUTED_COLOUR, SESSION_COLOUR, WARN_COLOUR, flag_label, flag_mark

# the order a desk clerk needs them: what stops a check-in first
FLAG_ORDER = (Flag.DUPLICATE, Flag.COLLECTIVE, Flag.ID_TO_CHECK, Flag.THEME_INFERRED, Flag.REPEAT)


@dataclass(frozen=True)
class LegendEntry:
    """One entry: the sign as the cards show it, its name, the details for the tooltip."""

    key: str
    sign: str
    name: str
    details: str
    style: str = ""


def flag_details(flag: Flag) -> str:
    """What a flag means and what to do about it."""
    details = {
        Flag.DUPLICATE: QCoreApplication.translate("tag_legend", "同一来访人当天已有登记，可能重复：签到前请核对。"),
        Flag.COLLECTIVE: QCoreApplication.translate(
            "tag_legend", "5 人及以上的集体访；已到场时粗体显示，注意接待室容量。"
        ),
        Flag.ID_TO_CHECK: QCoreApplication.translate("tag_legend", "身份证号缺失或校验不通过：签到时请核对证件。"),
        Flag.THEME_INFERRED: QCoreApplication.translate(
            "tag_legend", "问题类别由诉求内容推断，分配的接待室可能需要调整。"
        ),
        Flag.REPEAT: QCoreApplication.translate("tag_legend", "该来访人在此前的接访日已有案件（重复访），需提级核查。"),
    }
    return details.get(flag, flag_label(flag.value))


def legend_entries() -> list[LegendEntry]:
    """Every sign the cards show, flags first (any flag with a mark, in FLAG_ORDER, then the rest)."""
    flags = [*FLAG_ORDER, *(f for f in Flag if f not in FLAG_ORDER)]
    entries = [
        LegendEntry(f.value, f"[{flag_mark(f.value)}]", flag_label(f.value), flag_details(f))
        for f in flags
        if flag_mark(f.value)
    ]
    entries += [
        LegendEntry(
            "current",
            "▶",
            QCoreApplication.translate("tag_legend", "接谈中"),
            QCoreApplication.translate("tag_legend", "正在接待室接谈的批次"),
            f"color: {SESSION_COLOUR};",
        ),
        LegendEntry(
            "absent",
            QCoreApplication.translate("tag_legend", "灰色"),
            QCoreApplication.translate("tag_legend", "未签到"),
            QCoreApplication.translate("tag_legend", "已分配但尚未到场签到的批次；黑色为已到场候谈"),
            f"color: {MUTED_COLOUR};",
        ),
        LegendEntry(
            "bold",
            QCoreApplication.translate("tag_legend", "粗体"),
            QCoreApplication.translate("tag_legend", "需留意"),
            QCoreApplication.translate("tag_legend", "已到场的集体访或身份证待核批次"),
            "font-weight: bold;",
        ),
        LegendEntry(
            "warning",
            "⚠",
            QCoreApplication.translate("tag_legend", "超容量"),
            QCoreApplication.translate("tag_legend", "候谈人数或某批人数超过接待室容量；卡片红框标出"),
            f"color: {WARN_COLOUR};",
        ),
        LegendEntry(
            "keys",
            QCoreApplication.translate("tag_legend", "右键 / M / F6"),
            QCoreApplication.translate("tag_legend", "调至…接待室"),
            QCoreApplication.translate(
                "tag_legend", "在选中的批次上按 M 或 F6（或右键、菜单键）选择接待室，填写原因后调整；也可拖动"
            ),
        ),
    ]
    return entries


class TagLegend(QFrame):
    """The legend line: a muted title, then each entry with its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tagLegend")
        self.setStyleSheet(f"#tagLegend QLabel {{ color: {MUTED_COLOUR}; }}")
        # never widen the window: the line shows what fits
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # the labels must not set a minimum width
        layout.setContentsMargins(8, 1, 8, 1)
        layout.setSpacing(14)
        self.title = QLabel(QCoreApplication.translate("tag_legend", "图例："))
        layout.addWidget(self.title)
        self.entries = legend_entries()
        self.labels: dict[str, QLabel] = {}
        for entry in self.entries:
            sign = f"<span style='{entry.style}'>{entry.sign}</span>" if entry.style else entry.sign
            label = QLabel(f"{sign} {entry.name}")
            label.setObjectName(f"legend_{entry.key}")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setToolTip(f"{entry.sign} {entry.name}：{entry.details}")
            layout.addWidget(label)
            self.labels[entry.key] = label
        layout.addStretch(1)
        self.setToolTip("\n".join(f"{e.sign} {e.name}：{e.details}" for e in self.entries))

    def sizeHint(self) -> QSize:
        """One line."""
        return QSize(200, self.fontMetrics().height() + 4)

    def minimumSizeHint(self) -> QSize:
        """One line, any width."""
        return QSize(0, self.fontMetrics().height() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Show the entries that fit, in order."""
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        """Hide the entries past the width (the legend's tooltip lists them all)."""
        layout = self.layout()
        spacing = layout.spacing() if layout is not None else 0
        room = self.contentsRect().width() - 16 - self.title.sizeHint().width()
        for entry in self.entries:
            label = self.labels[entry.key]
            needed = label.sizeHint().width() + spacing
            label.setVisible(needed <= room)
            room -= needed if needed <= room else room + 1  # keep the order: after one is left out, so are the rest

    def shown(self) -> list[str]:
        """The keys of the entries on the line."""
        return [e.key for e in self.entries if not self.labels[e.key].isHidden()]
