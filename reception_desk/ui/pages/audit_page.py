"""操作日志: who did what when, newest first, with each entry's fields before → after (supervisor and admin).

The table model holds the entries loaded so far and fetches the next page (keyset, services.audit_log) when the
view scrolls to its end, so a day of 100,000 entries opens as fast as an empty one. Filters: user, kind (what was
changed, or which action), a registration or case number, a time window. Every write adds an entry, so any
change-set reloads the first page (keeping the selected entry).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain import office_time
from reception_desk.domain.roles import Permission
from reception_desk.services import audit_log
from reception_desk.services.audit_log import AuditFilter, AuditPage, AuditRow
from reception_desk.services.changes import ChangeSet
from reception_desk.ui.context import AppContext
from reception_desk.ui.models.headed_table import HeadedTableModel
from reception_desk.ui.pages.base import Page

AnyIndex = QModelIndex | QPersistentModelIndex
Fetch = Callable[[int | None], Awaitable[AuditPage]]
ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NO_BOUND = QDateTime(2000, 1, 1, 0, 0, 0)  # the edits' minimum, shown as 不限


def _marked_words() -> tuple[str, ...]:
    """The names the service gives actions, entities and fields, marked for lupdate (English in audit.json)."""
    return (
        QCoreApplication.translate("audit", "登记", "audit"),
        QCoreApplication.translate("audit", "导入预登记", "audit"),
        QCoreApplication.translate("audit", "更新联系方式", "audit"),
        QCoreApplication.translate("audit", "修改登记", "audit"),
        QCoreApplication.translate("audit", "自动分配接待室", "audit"),
        QCoreApplication.translate("audit", "调整接待室", "audit"),
        QCoreApplication.translate("audit", "签到", "audit"),
        QCoreApplication.translate("audit", "撤销签到", "audit"),
        QCoreApplication.translate("audit", "开始接谈", "audit"),
        QCoreApplication.translate("audit", "退回候谈", "audit"),
        QCoreApplication.translate("audit", "标记未到", "audit"),
        QCoreApplication.translate("audit", "接谈结束", "audit"),
        QCoreApplication.translate("audit", "记录接谈结果", "audit"),
        QCoreApplication.translate("audit", "修改", "audit"),
        QCoreApplication.translate("audit", "创建", "audit"),
        QCoreApplication.translate("audit", "生成演示数据", "audit"),
        QCoreApplication.translate("audit", "标记重复访", "audit"),
        QCoreApplication.translate("audit", "签收", "audit"),
        QCoreApplication.translate("audit", "反馈", "audit"),
        QCoreApplication.translate("audit", "办结", "audit"),
        QCoreApplication.translate("audit", "回访", "audit"),
        QCoreApplication.translate("audit", "延期", "audit"),
        QCoreApplication.translate("audit", "挂牌督办", "audit"),
        QCoreApplication.translate("audit", "提级核查", "audit"),
        QCoreApplication.translate("audit", "修改工作日历", "audit"),
        QCoreApplication.translate("audit", "确认全年工作日历", "audit"),
        QCoreApplication.translate("audit", "修改期限计算方式", "audit"),
        QCoreApplication.translate("audit", "添加用户", "audit"),
        QCoreApplication.translate("audit", "启用用户", "audit"),
        QCoreApplication.translate("audit", "停用用户", "audit"),
        QCoreApplication.translate("audit", "修改密码", "audit"),
        QCoreApplication.translate("audit", "重置密码", "audit"),
        QCoreApplication.translate("audit", "锁定用户", "audit"),
        QCoreApplication.translate("audit", "查看完整号码", "audit"),
        QCoreApplication.translate("audit", "导出完整号码", "audit"),
        QCoreApplication.translate("audit", "号码", "audit"),
        QCoreApplication.translate("audit", "导出内容", "audit"),
        QCoreApplication.translate("audit", "文件", "audit"),
        QCoreApplication.translate("audit", "行数", "audit"),
        QCoreApplication.translate("audit", "批次", "audit"),
        QCoreApplication.translate("audit", "信访事项", "audit"),
        QCoreApplication.translate("audit", "来访人", "audit"),
        QCoreApplication.translate("audit", "接待室", "audit"),
        QCoreApplication.translate("audit", "单位", "audit"),
        QCoreApplication.translate("audit", "接访日", "audit"),
        QCoreApplication.translate("audit", "节假日安排", "audit"),
        QCoreApplication.translate("audit", "用户", "audit"),
        QCoreApplication.translate("audit", "登记号", "audit"),
        QCoreApplication.translate("audit", "人数", "audit"),
        QCoreApplication.translate("audit", "问题类别", "audit"),
        QCoreApplication.translate("audit", "诉求", "audit"),
        QCoreApplication.translate("audit", "乡镇（街道）", "audit"),
        QCoreApplication.translate("audit", "村（社区）", "audit"),
        QCoreApplication.translate("audit", "来源", "audit"),
        QCoreApplication.translate("audit", "状态", "audit"),
        QCoreApplication.translate("audit", "排队位置", "audit"),
        QCoreApplication.translate("audit", "排队号", "audit"),
        QCoreApplication.translate("audit", "人工调整", "audit"),
        QCoreApplication.translate("audit", "标记", "audit"),
        QCoreApplication.translate("audit", "来访人员", "audit"),
        QCoreApplication.translate("audit", "来访人信息", "audit"),
        QCoreApplication.translate("audit", "本次签到人员", "audit"),
        QCoreApplication.translate("audit", "撤销签到人员", "audit"),
        QCoreApplication.translate("audit", "导入来源", "audit"),
        QCoreApplication.translate("audit", "签到时间", "audit"),
        QCoreApplication.translate("audit", "叫号时间", "audit"),
        QCoreApplication.translate("audit", "开始接谈时间", "audit"),
        QCoreApplication.translate("audit", "接谈结束时间", "audit"),
        QCoreApplication.translate("audit", "案件编号", "audit"),
        QCoreApplication.translate("audit", "领导批示", "audit"),
        QCoreApplication.translate("audit", "处理结果", "audit"),
        QCoreApplication.translate("audit", "三色分类", "audit"),
        QCoreApplication.translate("audit", "主办单位", "audit"),
        QCoreApplication.translate("audit", "协办单位", "audit"),
        QCoreApplication.translate("audit", "办理期限", "audit"),
        QCoreApplication.translate("audit", "签收时间", "audit"),
        QCoreApplication.translate("audit", "签收人", "audit"),
        QCoreApplication.translate("audit", "反馈时间", "audit"),
        QCoreApplication.translate("audit", "办结时间", "audit"),
        QCoreApplication.translate("audit", "化解", "audit"),
        QCoreApplication.translate("audit", "满意度", "audit"),
        QCoreApplication.translate("audit", "回访时间", "audit"),
        QCoreApplication.translate("audit", "督办期限", "audit"),
        QCoreApplication.translate("audit", "名称", "audit"),
        QCoreApplication.translate("audit", "电话", "audit"),
        QCoreApplication.translate("audit", "身份证号", "audit"),
        QCoreApplication.translate("audit", "位置", "audit"),
        QCoreApplication.translate("audit", "主持人", "audit"),
        QCoreApplication.translate("audit", "容量", "audit"),
        QCoreApplication.translate("audit", "简称", "audit"),
        QCoreApplication.translate("audit", "类型", "audit"),
        QCoreApplication.translate("audit", "联系人", "audit"),
        QCoreApplication.translate("audit", "启用", "audit"),
        QCoreApplication.translate("audit", "显示名", "audit"),
        QCoreApplication.translate("audit", "角色", "audit"),
        QCoreApplication.translate("audit", "日期", "audit"),
        QCoreApplication.translate("audit", "标题", "audit"),
        QCoreApplication.translate("audit", "地点", "audit"),
        QCoreApplication.translate("audit", "接访领导", "audit"),
        QCoreApplication.translate("audit", "备注", "audit"),
        QCoreApplication.translate("audit", "年份", "audit"),
        QCoreApplication.translate("audit", "按工作日计算期限", "audit"),
        QCoreApplication.translate("audit", "随机种子", "audit"),
        QCoreApplication.translate("audit", "含历史数据", "audit"),
    )


def word(text: str) -> str:
    """An action, entity or field name in the UI language (unknown ones as stored)."""
    return QCoreApplication.translate("audit", text, "audit")


def subject_text(row: AuditRow) -> str:
    """What the entry is about, its entity word translated (批次 Y0003 → Batch Y0003)."""
    if row.subject.startswith(row.entity_label):
        return word(row.entity_label) + row.subject[len(row.entity_label) :]
    return row.subject


def summary_text(row: AuditRow) -> str:
    """One line of what changed: field old → new; … (the detail pane shows every field)."""
    parts = [f"{word(c.label)}：{c.before} → {c.after}" for c in row.changes[:3]]
    if len(row.changes) > 3:
        parts.append("…")
    return "；".join(parts)


class AuditModel(HeadedTableModel):
    """The entries loaded so far; the next page is fetched (keyset) when the view reaches the end."""

    rows_loaded = Signal()

    def __init__(self, fetch: Fetch, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self.rows: list[AuditRow] = []
        self._next: int | None = None
        self._epoch = 0
        self._fetching = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.headers = (self.tr("时间"), self.tr("操作人"), self.tr("操作"), self.tr("对象"), self.tr("内容"))

    def row_total(self) -> int:
        """Entries loaded so far."""
        return len(self.rows)

    def set_page(self, page: AuditPage) -> None:
        """Show this first page (a new filter or a reload); pages fetched for the old one are dropped."""
        self._epoch += 1
        self.beginResetModel()
        self.rows = list(page.rows)
        self._next = page.next_before_id
        self.endResetModel()
        self.rows_loaded.emit()

    def row_of(self, entry_id: int) -> int | None:
        """The row showing that entry, if loaded."""
        return next((i for i, r in enumerate(self.rows) if r.id == entry_id), None)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        """True while older entries remain."""
        return not parent.isValid() and self._next is not None and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        """Load the next page of older entries off the UI thread."""
        if self._next is None or self._fetching:
            return
        self._fetching = True
        task = asyncio.ensure_future(self._more(self._epoch, self._next))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _more(self, epoch: int, before_id: int) -> None:
        try:
            page = await self._fetch(before_id)
        finally:
            self._fetching = False
        if epoch != self._epoch or not page.rows:
            return
        start = len(self.rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
        self.rows.extend(page.rows)
        self._next = page.next_before_id
        self.endInsertRows()
        self.rows_loaded.emit()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Time, actor, action, subject, a summary of the change."""
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ENTRY_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return "\n".join(f"{word(c.label)}：{c.before} → {c.after}" for c in row.changes) or row.reason
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return f"{row.at_local:%m-%d %H:%M:%S}"
        if column == 1:
            return row.actor
        if column == 2:
            return word(row.action_label)
        if column == 3:
            return subject_text(row)
        return summary_text(row) or row.reason


class AuditLogPage(Page):
    """操作日志: the filters, the entries (newest first) and the selected entry's fields before → after."""

    LIMIT = 200

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("auditPage")
        self._filters = AuditFilter()
        self._actors_loaded = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        outer.addLayout(self._build_filters())

        self.model = AuditModel(self._fetch_more, self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._show(current.row()))

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self._build_detail())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter, 1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("auditCount")
        outer.addWidget(self.count_label)
        self.model.rows_loaded.connect(self._count_changed)

        self._refilter = QTimer(self)
        self._refilter.setSingleShot(True)
        self._refilter.setInterval(250)  # typing a number: one query when the typing pauses
        self._refilter.timeout.connect(self._apply_filters)
        self._show(-1)

    def title(self) -> str:
        """The navigation's name of the page."""
        return self.tr("操作日志")

    # --- building ----------------------------------------------------------------------------------------

    def _build_filters(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.user_combo = QComboBox()
        self.user_combo.setObjectName("auditUser")
        self.user_combo.addItem(self.tr("全部用户"), None)
        self.user_combo.setMinimumContentsLength(6)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("auditKind")
        self.kind_combo.addItem(self.tr("全部操作"), None)
        for entity in ("batch", "visitor", "case", "room", "department", "reception_day", "app_user"):
            self.kind_combo.addItem(word(audit_log.entity_label(entity)), ("entity", entity))
        self.kind_combo.insertSeparator(self.kind_combo.count())
        for action, label in audit_log.ACTION_LABELS.items():
            self.kind_combo.addItem(word(label), ("action", action))
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("auditNumber")
        self.number_edit.setPlaceholderText(self.tr("登记号或案件编号"))
        self.number_edit.setClearButtonEnabled(True)
        self.number_edit.setMinimumWidth(120)
        self.from_edit = self._moment_edit("auditFrom")
        self.to_edit = self._moment_edit("auditTo")
        bar.addWidget(QLabel(self.tr("用户")))
        bar.addWidget(self.user_combo)
        bar.addWidget(QLabel(self.tr("类别")))
        bar.addWidget(self.kind_combo)
        bar.addWidget(self.number_edit, 1)
        bar.addWidget(QLabel(self.tr("从")))
        bar.addWidget(self.from_edit)
        bar.addWidget(QLabel(self.tr("至")))
        bar.addWidget(self.to_edit)
        self.user_combo.currentIndexChanged.connect(self._apply_filters)
        self.kind_combo.currentIndexChanged.connect(self._apply_filters)
        self.number_edit.textChanged.connect(lambda _t: self._refilter.start())
        self.from_edit.dateTimeChanged.connect(lambda _d: self._refilter.start())
        self.to_edit.dateTimeChanged.connect(lambda _d: self._refilter.start())
        return bar

    def _moment_edit(self, name: str) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setObjectName(name)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setCalendarPopup(True)
        edit.setMinimumDateTime(NO_BOUND)
        edit.setSpecialValueText(self.tr("不限"))  # shown at the minimum: no bound
        edit.setDateTime(NO_BOUND)
        return edit

    def _build_detail(self) -> QWidget:
        pane = QFrame()
        pane.setObjectName("auditDetail")
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(8, 0, 0, 0)
        self.detail_title = QLabel("")
        self.detail_title.setObjectName("auditDetailTitle")
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_reason = QLabel("")
        self.detail_reason.setObjectName("auditDetailReason")
        self.detail_reason.setWordWrap(True)
        self.detail = QTableWidget(0, 3)
        self.detail.setObjectName("auditDetailTable")
        self.detail.setHorizontalHeaderLabels([self.tr("字段"), self.tr("原值"), self.tr("新值")])
        self.detail.verticalHeader().hide()
        self.detail.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.detail.setWordWrap(True)
        header = self.detail.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.detail_title)
        layout.addWidget(self.detail_reason)
        layout.addWidget(self.detail, 1)
        return pane

    # --- loading -----------------------------------------------------------------------------------------

    def affected_by(self, changes: ChangeSet) -> bool:
        """Every write adds an entry: any change reloads the newest page."""
        return bool(changes)

    def allowed(self) -> bool:
        """Whether the logged-in user may read the log (supervisor, admin, 单机模式)."""
        return self.ctx.user.may(Permission.AUDIT)

    async def load(self) -> None:
        """The newest page under the filters (the selected entry stays selected when still there)."""
        if not self.allowed():
            self.model.set_page(AuditPage([]))
            return
        if not self._actors_loaded:
            await self._load_actors()
        selected = self.selected_id()
        page = await self.ctx.read(audit_log.list_entries, self.ctx.db, self.ctx.actor, self._filters, None, self.LIMIT)
        self.model.set_page(page)
        self._add_actors(r.actor for r in page.rows)  # someone new since the names were read
        row = self.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.table.selectRow(row)
        else:
            self._show(-1)

    async def _load_actors(self) -> None:
        self._add_actors(await self.ctx.read(audit_log.actors, self.ctx.db, self.ctx.actor))
        self._actors_loaded = True

    def _add_actors(self, names: Iterable[str]) -> None:
        for name in sorted(set(names)):
            if self.user_combo.findData(name) < 0:
                self.user_combo.addItem(name, name)

    async def _fetch_more(self, before_id: int | None) -> AuditPage:
        return await self.ctx.read(
            audit_log.list_entries, self.ctx.db, self.ctx.actor, self._filters, before_id, self.LIMIT
        )

    def _apply_filters(self) -> None:
        self._filters = self.current_filters()
        self.schedule_reload()

    def current_filters(self) -> AuditFilter:
        """The filters as the bar shows them (times read as the office's wall clock)."""
        kind = self.kind_combo.currentData()
        number = self.number_edit.text().strip()
        is_case = number.upper().startswith("JF")
        return AuditFilter(
            actor=self.user_combo.currentData(),
            entity=kind[1] if kind and kind[0] == "entity" else None,
            action=kind[1] if kind and kind[0] == "action" else None,
            batch=number if number and not is_case else None,
            case=number if is_case else None,
            day_id=self.ctx.day_id,
            since=_bound(self.from_edit),
            until=_bound(self.to_edit, end=True),
        )

    # --- the detail --------------------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        """The id of the selected entry."""
        row = self.table.currentIndex().row()
        return self.model.rows[row].id if 0 <= row < len(self.model.rows) else None

    def _show(self, row_index: int) -> None:
        if not 0 <= row_index < len(self.model.rows):
            self.detail_title.setText(self.tr("选择一条记录，查看修改前后的内容。"))
            self.detail_reason.setText("")
            self.detail.setRowCount(0)
            return
        row = self.model.rows[row_index]
        self.detail_title.setText(
            self.tr("{0}  {1}  {2}  {3}").format(
                f"{row.at_local:%Y-%m-%d %H:%M:%S}", row.actor, word(row.action_label), subject_text(row)
            )
        )
        self.detail_reason.setText(self.tr("原因：{0}").format(row.reason) if row.reason else "")
        self.detail.setRowCount(len(row.changes))
        for i, change in enumerate(row.changes):
            for column, text in enumerate((word(change.label), change.before, change.after)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.detail.setItem(i, column, item)
        self.detail.resizeRowsToContents()

    def detail_rows(self) -> list[tuple[str, str, str]]:
        """What the detail pane shows: (field, before, after) per line."""
        texts = [
            [(item.text() if item else "") for item in (self.detail.item(i, c) for c in range(3))]
            for i in range(self.detail.rowCount())
        ]
        return [(a, b, c) for a, b, c in texts]

    def _count_changed(self) -> None:
        more = self.model.canFetchMore()
        text = self.tr("已显示 {0} 条（向下滚动载入更早的记录）") if more else self.tr("共 {0} 条")
        self.count_label.setText(text.format(len(self.model.rows)))


def _bound(edit: QDateTimeEdit, end: bool = False) -> dt.datetime | None:
    """The edit's office wall-clock minute as naive UTC (the end of that minute for `end`); None at 不限."""
    if edit.dateTime() <= NO_BOUND:
        return None
    q = edit.dateTime()
    local = dt.datetime(q.date().year(), q.date().month(), q.date().day(), q.time().hour(), q.time().minute())
    return office_time.to_utc(local + (dt.timedelta(minutes=1) if end else dt.timedelta()))
