"""预登记: the day's registrations — search as you type, filters, add, edit, import, export.

The table's model holds batch ids only; rows are fetched for the part on screen. Searching runs in SQL on the
database thread (services.search), 150 ms after the last keystroke; a search overtaken by newer typing is
cancelled, or ignored when it has already run. The selection (by batch id) survives every reload.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.domain.roles import Permission
from reception_desk.domain.room_plan import TOWNSHIPS
from reception_desk.domain.themes import THEMES
from reception_desk.errors import StaleWriteError
from reception_desk.services import days, registration_merge, search, unmask
from reception_desk.services.changes import ChangeSet
from reception_desk.services.exporting import export_registrations
from reception_desk.services.registration_edit import EditableRegistration, load_registration, update_registration
from reception_desk.services.registrations import RegistrationInput, add_registration
from reception_desk.ui import roles_view
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.conflict_dialog import ConflictDialog, FieldConflict, Side
from reception_desk.ui.dialogs.registration_dialog import RegistrationDialog
from reception_desk.ui.dialogs.reveal_dialog import RevealFlow
from reception_desk.ui.errors import show_error
from reception_desk.ui.models.registrations_model import (
    Column,
    FlagChipDelegate,
    RegistrationsModel,
    domain_word,
    flag_label,
    status_label,
)
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.empty_note import EmptyNote

if TYPE_CHECKING:
    from reception_desk.ui.dialogs.import_wizard import ImportWizard

log = logging.getLogger(__name__)

STYLE = """
#registrationsPage QLineEdit#searchBox { padding: 5px 8px; font-size: 11pt; }
#registrationsPage QLabel#countLabel { font-weight: bold; color: #374151; }
#registrationsPage QLabel#detail { background: #ffffff; border: 1px solid #d9dde3; border-radius: 4px;
    padding: 6px 8px; }
#registrationsPage QLabel#pageMessage { color: #1e7d32; }
#registrationsPage QTableView { background: #ffffff; alternate-background-color: #f7f8fa; gridline-color: #e5e7eb; }
#registrationsPage QTableView::item:selected { background: #fbe9e7; color: #111827; }
#registrationsPage QHeaderView::section { background: #eef1f5; padding: 4px 6px; border: none;
    border-right: 1px solid #d9dde3; border-bottom: 1px solid #d9dde3; font-weight: bold; }
"""
REQUEST_PREVIEW = 140  # characters of the request shown under the table


class RegistrationsPage(Page):
    """The pre-registration list of the current day."""

    SEARCH_DELAY_MS = 150
    searched = Signal()  # a search result is on screen
    message = Signal(str)  # a status line (also shown on the page)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("registrationsPage")
        self.setStyleSheet(STYLE)
        self._generation = 0
        self._search_task: asyncio.Task[Any] | None = None
        self._dirty_all = False
        self._dirty_ids: set[int] = set()
        self._loaded_day: int | None = None
        self._select_after: int | None = None
        self._select_after_since = 0  # the search generation when _select_after was set
        self.active_dialog: RegistrationDialog | None = None
        self.reveal_flow = RevealFlow(ctx, self)
        self.active_conflict: ConflictDialog | None = None  # the last save conflict shown (tests look at it)
        self.active_wizard: ImportWizard | None = None
        self.export_dialog: QFileDialog | None = None
        self.last_result = search.SearchResult([], 0)
        self._page_keys: list[QKeySequence] = []

        self.model = RegistrationsModel(lambda ids: self.ctx.read(search.listed_batches, self.ctx.db, ids), self)
        self._build()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self._start_search(scroll_top=True))
        ctx.bus.changed.connect(self._note_changes)
        ctx.day_changed.connect(lambda _day: self._note_changes(ChangeSet.everything()))
        roles_view.apply(self)

    def title(self) -> str:
        """The page's name in the navigation."""
        return self.tr("预登记")

    # --- layout ------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(
            self.tr("搜索：姓名、拼音首字母（如 wxd）、电话、身份证后4位、登记号（Ctrl+F）")
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.installEventFilter(self)

        self.add_button = self._button("addButton", self.tr("新增"), "Ctrl+N", self._add)
        self.edit_button = self._button("editButton", self.tr("编辑"), "Enter", self._edit)
        self.import_button = self._button("importButton", self.tr("导入…"), "Ctrl+I", self._import)
        self.export_button = self._button("exportButton", self.tr("导出…"), "Ctrl+E", self._export)
        self.edit_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        for button in (self.add_button, self.edit_button, self.import_button, self.export_button):
            top.addWidget(button)

        self.theme_filter = self._combo("themeFilter", self.tr("全部类别"))
        for spec in THEMES:
            self.theme_filter.addItem(domain_word(spec.name), spec.code)
        self.township_filter = self._combo("townshipFilter", self.tr("全部乡镇"))
        self._set_townships([])
        self.status_filter = self._combo("statusFilter", self.tr("全部状态"))
        for status in BatchStatus:
            self.status_filter.addItem(status_label(status.value), status.value)
        self.flag_filter = self._combo("flagFilter", self.tr("全部标记"))
        for flag in (Flag.ID_TO_CHECK, Flag.COLLECTIVE, Flag.DUPLICATE):
            self.flag_filter.addItem(flag_label(flag.value), flag.value)
        self.clear_filters = QPushButton(self.tr("清除筛选"))
        self.clear_filters.setObjectName("clearFilters")
        self.clear_filters.setFlat(True)
        self.clear_filters.setEnabled(False)
        self.clear_filters.clicked.connect(self._clear_filters)
        self.count_label = QLabel(self.tr("共 {0} 批 {1} 人").format(0, 0))
        self.count_label.setObjectName("countLabel")
        filters = QHBoxLayout()
        for combo in (self.theme_filter, self.township_filter, self.status_filter, self.flag_filter):
            filters.addWidget(combo)
            combo.currentIndexChanged.connect(self._filters_changed)
        filters.addWidget(self.clear_filters)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setObjectName("registrationsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setShowGrid(False)
        self.table.setItemDelegateForColumn(Column.FLAGS, FlagChipDelegate(self.table))
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda _index: self._edit())
        self.no_results = EmptyNote(self.table, "noResults")
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform row heights: no per-row measuring
        rows.setDefaultSectionSize(self.fontMetrics().height() + 14)
        self._size_columns()
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(lambda _c, _p: self._show_current())
        selection.selectionChanged.connect(lambda _s, _d: self._update_buttons())
        self.model.rows_loaded.connect(self._show_current)

        self.detail = QLabel()
        self.detail.setObjectName("detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 16)
        self.page_message = QLabel()
        self.page_message.setObjectName("pageMessage")
        self.page_message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.page_message)

        focus_search = QShortcut(QKeySequence("Ctrl+F"), self, self._focus_search)
        focus_search.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.setTabOrder(self.search_box, self.table)

    def _button(self, name: str, text: str, key: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(f"{text.rstrip('…')}（{key}）")
        button.setMinimumWidth(self.fontMetrics().horizontalAdvance(text) + 34)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        if key != "Enter":
            sequence = QKeySequence(key)
            shortcut = QShortcut(sequence, self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self._page_keys.append(sequence)
        return button

    def _combo(self, name: str, everything: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumContentsLength(6)
        return combo

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        pad = 22
        widths = {
            Column.REG_NO: metrics.horizontalAdvance("Y00000") + pad,
            Column.HEADCOUNT: metrics.horizontalAdvance(self.tr("人数")) + pad,
            Column.THEME: metrics.horizontalAdvance("安全生产与环境保护") + pad,
            Column.TOWNSHIP: metrics.horizontalAdvance("黄坛口乡乡") + pad,
            Column.PHONE: metrics.horizontalAdvance("0570-30234567") + pad,
            Column.ID_NUMBER: metrics.horizontalAdvance("330803********1234") + pad,
            Column.ROOM: metrics.horizontalAdvance(self.tr("接待室")) + pad,
            Column.STATUS: metrics.horizontalAdvance(self.tr("接谈中")) + pad,
            Column.FLAGS: metrics.horizontalAdvance("疑似重复待核集体访") + 6 * 6 + 3 * 4 + 12,
        }
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(metrics.horizontalAdvance("人数") + 16)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in Column:
            if column == Column.NAME:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                self.table.setColumnWidth(column, widths[column])

    # --- filters and search ----------------------------------------------------------------------------------

    def filters(self) -> search.SearchFilters:
        """The filters as the combos are set."""
        flag = self.flag_filter.currentData()
        return search.SearchFilters(
            theme_code=self.theme_filter.currentData(),
            township=self.township_filter.currentData(),
            status=self.status_filter.currentData(),
            flags=frozenset({flag}) if flag else frozenset(),
        )

    def _set_townships(self, found: list[str]) -> None:
        current = self.township_filter.currentData()
        names = list(TOWNSHIPS) + sorted(set(found) - set(TOWNSHIPS))
        existing = [self.township_filter.itemData(i) for i in range(1, self.township_filter.count())]
        if names == existing:
            return
        self.township_filter.blockSignals(True)
        while self.township_filter.count() > 1:
            self.township_filter.removeItem(1)
        for name in names:
            self.township_filter.addItem(name, name)
        index = self.township_filter.findData(current) if current else 0
        self.township_filter.setCurrentIndex(max(index, 0))
        self.township_filter.blockSignals(False)

    def _filters_changed(self) -> None:
        self.clear_filters.setEnabled(not self.filters().is_empty())
        self._search_timer.stop()
        self._start_search(scroll_top=True)

    def _clear_filters(self) -> None:
        for combo in (self.theme_filter, self.township_filter, self.status_filter, self.flag_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._filters_changed()

    def _start_search(self, scroll_top: bool) -> None:
        """Search now; a search still waiting for the database thread is cancelled."""
        if self._search_task is not None and not self._search_task.done():
            self._search_task.cancel()
        self._search_task = self.spawn(self._search(scroll_top))

    async def _search(self, scroll_top: bool) -> None:
        self._generation += 1
        generation = self._generation
        day_id = self.ctx.day_id
        query, filters = self.search_box.text(), self.filters()
        if day_id is None:
            result = search.SearchResult([], 0)
        else:
            try:
                result = await self.ctx.read(search.search, self.ctx.db, day_id, query, filters)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if generation == self._generation:
                    show_error(self, exc)
                return
        if generation != self._generation:
            return  # newer typing overtook this search
        self.model.set_query(query if day_id is not None else "")
        self._apply(result, scroll_top)

    def _apply(self, result: search.SearchResult, scroll_top: bool) -> None:
        """Put a search result on screen, keeping the selection and current row (by batch id)."""
        selected = self.selected_ids()
        current = self.current_id()
        if self._select_after is not None and self._select_after in result.ids:
            selected, current = [self._select_after], self._select_after
            self._select_after = None
            scroll_top = False
        scroll = self.table.verticalScrollBar().value()
        if self.model.set_ids(result.ids):
            self._restore_selection(selected, current)
            row = self.model.row_of(current) if current is not None else None
            if row is not None:
                self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
            elif scroll_top:
                self.table.scrollToTop()
            else:
                self.table.verticalScrollBar().setValue(scroll)
        self.last_result = result
        self.count_label.setText(self.tr("共 {0} 批 {1} 人").format(len(result.ids), result.people))
        self.no_results.say(self._empty_text(result))
        self._show_current()
        self._update_buttons()
        self.searched.emit()

    def _empty_text(self, result: search.SearchResult) -> str:
        """What an empty list means: nothing matches the search, or the filters, or the day has no one yet."""
        if result.ids or self.ctx.day_id is None:
            return ""
        query = self.search_box.text().strip()
        if query:
            return self.tr("没有找到与“{0}”相符的登记。可试姓名、拼音首字母、电话或身份证后4位。").format(query)
        if not self.filters().is_empty():
            return self.tr("没有符合筛选条件的登记。")
        return self.tr("当天还没有登记：点“新增”或“导入…”。")

    def _restore_selection(self, selected: list[int], current: int | None) -> None:
        selection_model = self.table.selectionModel()
        selection = QItemSelection()
        for batch_id in selected:
            row = self.model.row_of(batch_id)
            if row is not None:
                selection.select(self.model.index(row, 0), self.model.index(row, len(Column) - 1))
        flags = QItemSelectionModel.SelectionFlag
        selection_model.select(selection, flags.ClearAndSelect)
        row = self.model.row_of(current) if current is not None else None
        if row is not None:
            selection_model.setCurrentIndex(self.model.index(row, 0), flags.NoUpdate)

    # --- loading -----------------------------------------------------------------------------------------------

    def affected_by(self, changes: ChangeSet) -> bool:
        """Batches, people, rooms and days are what the list shows."""
        return bool(changes.batches or changes.visitors or changes.rooms or changes.days)

    def _note_changes(self, changes: ChangeSet) -> None:
        """Remember which cached rows a change-set makes stale (dropped at the next load)."""
        if changes.full or changes.visitors or changes.rooms or changes.days:
            self._dirty_all = True
        self._dirty_ids |= changes.batches

    async def load(self) -> None:
        """Search again with the current text and filters; drop the rows that changed."""
        day_id = self.ctx.day_id
        if day_id != self._loaded_day:
            self._dirty_all = True
            self.table.clearSelection()
        self._loaded_day = day_id
        self._set_actions_enabled(day_id is not None)
        dirty_all, dirty_ids = self._dirty_all, self._dirty_ids
        self._dirty_all, self._dirty_ids = False, set()
        if day_id is not None:
            self._set_townships(await self.ctx.read(search.townships_of_day, self.ctx.db, day_id))
        await self._search(scroll_top=False)
        if self._generation > self._select_after_since:
            self._select_after = None  # searched since the save: a new batch the filters hide stays unselected
        self.model.invalidate(None if dirty_all else dirty_ids)

    def _set_actions_enabled(self, enabled: bool) -> None:
        for widget in (self.add_button, self.import_button, self.export_button, self.search_box):
            widget.setEnabled(enabled)
        self._update_buttons()

    # --- selection ---------------------------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        """The selected batches, in list order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [b for b in (self.model.batch_id(r) for r in rows) if b is not None]

    def current_id(self) -> int | None:
        """The batch of the current row."""
        index = self.table.currentIndex()
        return self.model.batch_id(index.row()) if index.isValid() else None

    def select_batch(self, batch_id: int) -> bool:
        """Make a listed batch the current and only selected row."""
        row = self.model.row_of(batch_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        return True

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.ctx.day_id is not None and self.current_id() is not None)

    def _show_current(self) -> None:
        index = self.table.currentIndex()
        item = self.model.listed(index.row()) if index.isValid() else None
        if item is None:
            self.detail.setText(self.tr("选中一行可在此查看诉求；Enter 或双击编辑。"))
            self.detail.setToolTip("")
            return
        row = item.row
        people = row.name + (self.tr("（同行：{0}）").format("、".join(item.companions)) if item.companions else "")
        place = f"{row.township}{row.village}"
        request = row.request if len(row.request) <= REQUEST_PREVIEW else row.request[:REQUEST_PREVIEW] + "…"
        parts = (row.reg_no, people, self.tr("{0}人").format(row.headcount), domain_word(row.theme_name), place)
        head = "  ·  ".join(p for p in parts if p)
        self.detail.setText(head + "\n" + self.tr("诉求：{0}").format(request))
        self.detail.setToolTip(row.request)

    # --- keyboard ---------------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Search box: ↓/Enter go to the list, Esc clears. List: Enter edits, typing goes to the search box."""
        if not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        if event.type() == QEvent.Type.ShortcutOverride and watched is self.search_box:
            # a line edit claims Ctrl+E (end of line on X11) and others: the page's shortcuts win here
            if QKeySequence(event.keyCombination()) in self._page_keys:
                event.ignore()
                return True
            return super().eventFilter(watched, event)
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.search_box:
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._focus_table()
                return True
            if key == Qt.Key.Key_Escape and self.search_box.text():
                self.search_box.clear()
                return True
        elif watched is self.table:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._edit()
                return True
            text = event.text()
            plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
            if plain and len(text) == 1 and text.isascii() and text.isalnum():
                self.search_box.setFocus()
                self.search_box.setText(self.search_box.text() + text)
                return True
        return super().eventFilter(watched, event)

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _focus_table(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self.select_batch(self.model.ids()[0])

    # --- actions ----------------------------------------------------------------------------------------------

    def _say(self, text: str, error: bool = False) -> None:
        self.page_message.setStyleSheet("color: #b3261e;" if error else "")
        self.page_message.setText(text)
        window = self.window()
        if isinstance(window, QMainWindow):
            # no timeout: an import's summary vanished after 8 s, before the clerk had closed the wizard
            window.statusBar().showMessage(text)
        self.message.emit(text)

    def _add(self) -> None:
        if self.ctx.day_id is None:
            return
        dialog = RegistrationDialog(self, walk_in=False)
        dialog.accepted.connect(lambda: self.spawn(self._save_new(dialog)))
        self.active_dialog = dialog
        dialog.open()

    async def _save_new(self, dialog: RegistrationDialog) -> None:
        day_id = self.ctx.day_id
        if day_id is None:
            return
        data = dialog.registration()
        self.add_button.setEnabled(False)
        try:
            batch_id, _changes = await self.ctx.write(
                add_registration, self.ctx.db, day_id, data, False, self.ctx.actor
            )
        except Exception as exc:
            show_error(self, exc)
            dialog.open()  # keep what was typed: the dialog comes back as it was
            return
        finally:
            self.add_button.setEnabled(True)
        self._select_after, self._select_after_since = batch_id, self._generation
        await self._report_saved(batch_id, self.tr("已登记"))

    async def _report_saved(self, batch_id: int, verb: str) -> None:
        rows = await self.ctx.read(search.registration_rows, self.ctx.db, [batch_id])
        if not rows:
            return
        row = rows[0]
        text = f"{verb} {row.reg_no} {row.name}"
        if row.flags:
            text += self.tr("（标记：{0}）").format("、".join(flag_label(f) for f in row.flags))
        self._say(text)

    def _edit(self) -> None:
        batch_id = self.current_id()
        if batch_id is None or self.ctx.day_id is None or not self.ctx.user.may(Permission.REGISTER):
            return
        self.spawn(self._open_edit(batch_id))

    async def _open_edit(self, batch_id: int) -> None:
        self.edit_button.setEnabled(False)
        try:
            editable = await self.ctx.read(load_registration, self.ctx.db, batch_id)
        except Exception as exc:
            show_error(self, exc)
            return
        finally:
            self._update_buttons()
        dialog = RegistrationDialog(
            self,
            walk_in=editable.walk_in,
            initial=editable.data,
            reg_no=editable.reg_no,
            reveal_allowed=self.ctx.user.may(Permission.UNMASK),
        )
        dialog.accepted.connect(lambda: self.spawn(self._save_edit(dialog, editable)))
        dialog.reveal_requested.connect(lambda: self._reveal_lead(dialog, editable))
        dialog.finished.connect(lambda _result: self.reveal_flow.hide_now())
        self.active_dialog = dialog
        dialog.open()

    def _reveal_lead(self, dialog: RegistrationDialog, editable: EditableRegistration) -> None:
        """显示完整号码 in the edit dialog: the lead's whole ID after a reason (logged), for a short time."""
        if editable.lead_visitor_id is None:
            return
        self.reveal_flow.ask(
            editable.lead_visitor_id,
            editable.data.lead.name,
            unmask.ID_NUMBER,
            show=dialog.show_full_id,
            hide=dialog.mask_again,
            over=dialog,
        )

    async def _save_edit(self, dialog: RegistrationDialog, editable: EditableRegistration) -> None:
        data: RegistrationInput = dialog.registration()
        await self._save_edited(dialog, editable, editable.data, data)

    async def _save_edited(
        self,
        dialog: RegistrationDialog,
        editable: EditableRegistration,
        base: RegistrationInput,
        data: RegistrationInput,
    ) -> None:
        """Save `data` on the versions of `editable`; a stale save opens the conflict dialog (theirs and mine)."""
        try:
            await self.ctx.write(
                update_registration,
                self.ctx.db,
                editable.batch_id,
                data,
                self.ctx.actor,
                editable.version,
                editable.visitor_versions,
            )
        except StaleWriteError:
            await self._resolve_conflict(dialog, editable.batch_id, base, data)
            return
        except Exception as exc:
            show_error(self, exc)
            dialog.open()
            return
        await self._report_saved(editable.batch_id, self.tr("已保存"))

    async def _resolve_conflict(
        self, dialog: RegistrationDialog, batch_id: int, base: RegistrationInput, mine: RegistrationInput
    ) -> None:
        """Someone else saved the batch meanwhile: show theirs and mine; reload, or save theirs plus the chosen."""
        try:
            fresh = await self.ctx.read(load_registration, self.ctx.db, batch_id)
        except Exception as exc:
            show_error(self, exc)
            return
        found = registration_merge.clashes(base, mine, fresh.data)
        if not found:  # they saved what we typed: nothing is lost
            await self._report_saved(batch_id, self.tr("已保存"))
            return
        labels = {
            "lead_name": self.tr("姓名"),
            "lead_id": self.tr("身份证号"),
            "lead_phone": self.tr("联系电话"),
            "companions": self.tr("同行人员"),
            "headcount": self.tr("来访人数"),
            "theme_code": self.tr("问题类别"),
            "request": self.tr("诉求内容"),
            "township": self.tr("乡镇（街道）"),
            "village": self.tr("村（社区）"),
        }
        fields = [FieldConflict(c.key, labels[c.key], c.theirs, c.mine, c.changed_by_me) for c in found]
        conflict = ConflictDialog(fields, self.tr("登记 {0}").format(fresh.reg_no), self)
        self.active_conflict = conflict
        conflict.accepted.connect(lambda: self.spawn(self._merge(conflict, dialog, fresh, mine)))
        conflict.rejected.connect(
            lambda: self._say(self.tr("已重新载入 {0}（采用他人保存的内容）").format(fresh.reg_no))
        )
        conflict.open()

    async def _merge(
        self, conflict: ConflictDialog, dialog: RegistrationDialog, fresh: EditableRegistration, mine: RegistrationInput
    ) -> None:
        keep = [key for key, side in conflict.choices().items() if side is Side.MINE]
        merged = registration_merge.merge(fresh.data, mine, keep)
        await self._save_edited(dialog, fresh, fresh.data, merged)

    def _import(self) -> None:
        if self.ctx.day_id is None:
            return
        from reception_desk.ui.dialogs.import_wizard import ImportWizard  # loaded when first used, not at start-up

        wizard = ImportWizard(self.ctx, self)
        wizard.finished_import.connect(lambda: self._import_finished(wizard))
        wizard.assigned.connect(lambda text: self._import_assigned(wizard, text))
        self.active_wizard = wizard
        wizard.open()

    def _import_finished(self, wizard: ImportWizard) -> None:
        report = wizard.result_report
        if report is not None:
            self._say(report.summary())

    def _import_assigned(self, wizard: ImportWizard, text: str) -> None:
        report = wizard.result_report
        self._say(f"{report.summary()} {text}" if report is not None else text)

    def _export(self) -> None:
        if self.ctx.day_id is None:
            return
        dialog = QFileDialog(self, self.tr("导出预登记名单"))
        dialog.setObjectName("exportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([self.tr("Excel 工作簿 (*.xlsx)"), self.tr("CSV 文件 (*.csv)")])
        dialog.setDefaultSuffix("xlsx")
        dialog.selectFile(self.tr("预登记名单.xlsx"))
        dialog.fileSelected.connect(lambda name: self.spawn(self.export_to(Path(name))))
        self.export_dialog = dialog
        dialog.open()

    async def export_to(self, path: Path) -> int | None:
        """Export the day's list to .xlsx or .csv on the slow thread; returns the rows written."""
        day_id = self.ctx.day_id
        if day_id is None:
            return None
        self.export_button.setEnabled(False)
        self._say(self.tr("正在导出……"))
        try:
            info = next((d for d in await self.ctx.read(days.list_days, self.ctx.db) if d.id == day_id), None)
            title = self.tr("{0} 预登记名单").format(info.title) if info else ""
            count = await self.ctx.runner.run_slow(export_registrations, self.ctx.db, day_id, path, title)
        except Exception as exc:
            self._say(self.tr("导出失败"), error=True)
            show_error(self, exc)
            return None
        finally:
            self.export_button.setEnabled(True)
        self._say(self.tr("已导出 {0} 条到 {1}").format(count, path))
        return count
