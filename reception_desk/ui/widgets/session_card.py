"""The batch in session on 接待室: its title and flags, 退回候谈, and the registration's details."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from reception_desk.services.room_queue import SessionBatch
from reception_desk.ui.models.room_queue_model import flag_labels


class SessionCard(QWidget):
    """The head of the session pane: who is in the room (or what to do when nobody is). 退回候谈 is the page's
    to connect."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.session_title = QLabel()
        self.session_title.setObjectName("sessionTitle")
        self.session_flags = QLabel()
        self.session_flags.setObjectName("sessionFlags")
        self.return_button = QPushButton(self.tr("退回候谈"))
        self.return_button.setObjectName("returnButton")
        self.return_button.setToolTip(
            self.tr("暂停接谈（如回去取材料），该批次回到队列并保留原位；已填写内容保留为草稿")
        )
        top.addWidget(self.session_title)
        top.addSpacing(8)
        top.addWidget(self.session_flags)
        top.addStretch(1)
        top.addWidget(self.return_button)
        layout.addLayout(top)
        self.session_empty = QLabel()
        self.session_empty.setObjectName("sessionEmpty")
        self.session_empty.setWordWrap(True)
        layout.addWidget(self.session_empty)

        self.session_details = QWidget()
        grid = QGridLayout(self.session_details)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.detail_labels: dict[str, QLabel] = {}
        fields = (
            ("companions", self.tr("同行人"), 0, 0, 3),
            ("place", self.tr("乡镇 / 村"), 1, 0, 1),
            ("phone", self.tr("联系电话"), 1, 2, 1),
            ("theme", self.tr("问题类别"), 2, 0, 1),
            ("ticket", self.tr("排队号"), 2, 2, 1),
            ("request", self.tr("登记诉求"), 3, 0, 3),
        )
        for key, caption, row, column, span in fields:
            name = QLabel(caption)
            name.setProperty("role", "key")
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setObjectName(f"session_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, column)
            grid.addWidget(value, row, column + 1, 1, span)
            self.detail_labels[key] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addWidget(self.session_details)

    def show_batch(self, current: SessionBatch | None, room_chosen: bool) -> None:
        """The batch in session, or the hint for an empty room (a room chosen or not)."""
        self.session_details.setVisible(current is not None)
        self.session_empty.setVisible(current is None)
        if current is None:
            self.session_title.setText(self.tr("当前无接谈"))
            self.session_flags.setText("")
            self.session_empty.setText(
                self.tr("按 F3 叫号请下一批进入；或在左侧选中批次后点“开始接谈”。")
                if room_chosen
                else self.tr("请先在左侧选择本接待室。")
            )
            return
        self.session_title.setText(
            self.tr("接谈中：{0} · {1} · {2}人").format(current.reg_no, current.lead_name, current.headcount)
        )
        flags = flag_labels()
        self.session_flags.setText("  ".join(flags.get(f, f) for f in current.flags))
        labels = self.detail_labels
        labels["companions"].setText("、".join(current.companions) or self.tr("无"))
        labels["place"].setText(" ".join(p for p in (current.township, current.village) if p) or "—")
        labels["phone"].setText(current.phone or "—")
        labels["theme"].setText(current.theme_name or "—")
        labels["ticket"].setText(str(current.queue_number) if current.queue_number is not None else "—")
        labels["request"].setText(current.request)
