"""设置 → 接待室 and 单位目录: the day's rooms and the department directory, edited in place.

Edits are written one by one through the plan services with the version the row was read at: a row somebody else
changed meanwhile is refused (StaleWriteError) and the conflict dialog shows the row's fields theirs and mine;
重新载入 takes theirs, 合并保存 writes theirs plus the fields chosen as mine on the fresh version.
A mixin of SettingsPage (it builds the tabs' widgets on the page, so their names stay the page's).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain.themes import THEMES
from reception_desk.errors import StaleWriteError
from reception_desk.services import plan, row_merge
from reception_desk.services.changes import ChangeSet
from reception_desk.ui.dialogs.conflict_dialog import ConflictDialog, FieldConflict, Side
from reception_desk.ui.errors import show_error
from reception_desk.ui.models.plan_models import (
    CapacityDelegate,
    DepartmentsModel,
    Edit,
    EditQueue,
    RoomsModel,
    ThemeDelegate,
)
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.settings_common import edit_table, hint

if TYPE_CHECKING:
    _Base = Page
else:
    _Base = object

# the fields of a row the conflict dialog compares (what the tables edit)
ROOM_CONFLICT_FIELDS = ("name", "theme_code", "host", "location", "capacity")
DEPARTMENT_CONFLICT_FIELDS = ("name", "short_name", "contact", "phone", "active")


class PlanTabsMixin(_Base):
    """(c) 接待室 and (d) 单位目录: SettingsPage's plan tables, their queued writes and save conflicts."""

    _room_edits: EditQueue
    _dept_edits: EditQueue
    active_conflict: ConflictDialog | None  # the last save conflict shown (tests look at it)

    # ---- (c) rooms ----

    def _build_rooms_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        self.rooms_title = QLabel()
        self.rooms_title.setObjectName("roomsTitle")
        self.rooms_title.setProperty("role", "value")
        layout.addWidget(self.rooms_title)
        layout.addWidget(hint(self.tr("双击单元格修改，回车确认后立即保存。主题决定自动分配时哪些批次进入该室。")))
        self.rooms_model = RoomsModel(self)
        self.rooms_model.edited.connect(self._room_edited)
        self.rooms_view = edit_table(self.rooms_model, "roomsTable")
        self.rooms_view.setItemDelegateForColumn(2, ThemeDelegate(self.rooms_view))
        self.rooms_view.setItemDelegateForColumn(5, CapacityDelegate(self.rooms_view))
        header = self.rooms_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((56, 130, 210, 220, 260, 90)):
            self.rooms_view.setColumnWidth(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.rooms_view, 1)
        self.rooms_message = QLabel()
        self.rooms_message.setObjectName("roomsMessage")
        self.rooms_message.setProperty("role", "done")
        self.rooms_message.setWordWrap(True)
        layout.addWidget(self.rooms_message)
        return tab

    def _room_edited(self, room_id: int, field: str, value: Any) -> None:
        room = next((r for r in self.rooms_model.rows if r.id == room_id), None)
        if room is None:
            return
        seen = {key: getattr(room, key) for key in ROOM_CONFLICT_FIELDS}
        self._room_edits.items.append(Edit(room_id, field, value, room.version, seen))
        if not self._room_edits.running:
            self._room_edits.running = True  # now, not when the task starts: the next edit must not start another
            self.spawn(self._drain(self._room_edits, plan.update_room, self._refresh_rooms))

    async def _refresh_rooms(self) -> dict[int, int]:
        rooms = await self.ctx.read(plan.list_rooms, self.ctx.db, self.ctx.day_id) if self.ctx.day_id else []
        self.rooms_model.set_rows(rooms, keep=self._room_edits.queued_cells())
        return {r.id: r.version for r in rooms}

    async def _drain(
        self,
        queue: EditQueue,
        service: Callable[..., ChangeSet],
        refresh: Callable[[], Awaitable[dict[int, int]]],
    ) -> None:
        """Write the queued edits one by one; after each, re-read the rows (their versions moved)."""
        try:
            while queue.items:
                edit = queue.items.pop(0)
                used = queue.version_for(edit)
                try:
                    await self.ctx.write(
                        service, self.ctx.db, edit.row_id, used, actor=self.ctx.actor, **{edit.field: edit.value}
                    )
                except StaleWriteError:  # another laptop saved the row: theirs and mine, field by field
                    mine = [edit] + [e for e in queue.items if e.row_id == edit.row_id]
                    queue.items[:] = [e for e in queue.items if e.row_id != edit.row_id]
                    await refresh()
                    self._plan_conflict(service, refresh, mine)
                    continue
                except Exception as exc:  # refusals: say so, then show the database's rows
                    queue.items.clear()
                    show_error(self, exc)
                    await refresh()
                    break
                versions = await refresh()
                queue.wrote(edit.row_id, used, versions.get(edit.row_id, used))
        finally:
            queue.running = False

    def _plan_conflict(
        self,
        service: Callable[..., ChangeSet],
        refresh: Callable[[], Awaitable[dict[int, int]]],
        edits: list[Edit],
    ) -> None:
        """Show the row's fields theirs (as just re-read) and mine (what the user saw plus his edits)."""
        rooms = service is plan.update_room
        row_id = edits[0].row_id
        keys = ROOM_CONFLICT_FIELDS if rooms else DEPARTMENT_CONFLICT_FIELDS
        rows: list[Any] = self.rooms_model.rows if rooms else self.departments_model.rows
        message = self.rooms_message if rooms else self.dept_message
        fresh = next((r for r in rows if r.id == row_id), None)
        if fresh is None:  # the row is gone: nothing to merge into
            message.setText(self.tr("该行已不存在，已重新载入。"))
            return
        theirs = {key: getattr(fresh, key) for key in keys}
        base = dict(edits[0].seen or theirs)
        mine = dict(base)
        for edit in edits:
            mine[edit.field] = edit.value
        found = row_merge.clashes(base, mine, theirs, keys)
        if not found:  # they saved what we typed: nothing is lost
            message.setText(self.tr("已保存。"))
            return
        labels = self._conflict_labels(rooms)
        fields = [
            FieldConflict(
                c.key, labels[c.key], self._shown(c.key, c.theirs), self._shown(c.key, c.mine), c.changed_by_me
            )
            for c in found
        ]
        what = self.tr("第{0}接待室").format(fresh.number) if rooms else self.tr("单位“{0}”").format(fresh.name)
        conflict = ConflictDialog(fields, what, self)
        self.active_conflict = conflict
        conflict.accepted.connect(
            lambda: self.spawn(self._plan_merge(conflict, service, refresh, row_id, fresh.version, theirs, mine))
        )
        conflict.rejected.connect(lambda: message.setText(self.tr("已重新载入{0}（采用他人保存的内容）").format(what)))
        conflict.open()

    async def _plan_merge(
        self,
        conflict: ConflictDialog,
        service: Callable[..., ChangeSet],
        refresh: Callable[[], Awaitable[dict[int, int]]],
        row_id: int,
        version: int,
        theirs: dict[str, Any],
        mine: dict[str, Any],
    ) -> None:
        """合并保存: theirs plus the fields chosen as mine, on the version theirs was read at."""
        message = self.rooms_message if service is plan.update_room else self.dept_message
        keep = [key for key, side in conflict.choices().items() if side is Side.MINE]
        write = row_merge.changes(row_merge.merge(theirs, mine, keep), theirs)
        if not write:
            message.setText(self.tr("已重新载入（采用他人保存的内容）。"))
            return
        try:
            await self.ctx.write(service, self.ctx.db, row_id, version, actor=self.ctx.actor, **write)
        except StaleWriteError:  # saved once more meanwhile: ask again on the newer row
            await refresh()
            self._plan_conflict(
                service, refresh, [Edit(row_id, key, value, version, theirs) for key, value in write.items()]
            )
            return
        except Exception as exc:
            show_error(self, exc)
            await refresh()
            return
        await refresh()
        message.setText(self.tr("已合并保存。"))

    def _conflict_labels(self, rooms: bool) -> dict[str, str]:
        if rooms:
            return {
                "name": self.tr("名称"),
                "theme_code": self.tr("主题"),
                "host": self.tr("主持领导"),
                "location": self.tr("地点"),
                "capacity": self.tr("容量（人）"),
            }
        return {
            "name": self.tr("名称"),
            "short_name": self.tr("简称"),
            "contact": self.tr("联系人"),
            "phone": self.tr("联系电话"),
            "active": self.tr("启用"),
        }

    def _shown(self, key: str, value: Any) -> str:
        """A field's value as the tables show it (the theme by name, the active flag in words)."""
        if key == "theme_code":
            return next((t.name for t in THEMES if t.code == value), str(value))
        if key == "active":
            return self.tr("启用") if value else self.tr("停用")
        return str(value)

    # ---- (d) departments ----

    def _build_departments_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        self.dept_filter = QLineEdit()
        self.dept_filter.setObjectName("departmentFilter")
        self.dept_filter.setPlaceholderText(self.tr("按名称筛选"))
        self.dept_filter.setClearButtonEnabled(True)
        self.dept_count = QLabel()
        self.dept_count.setProperty("role", "hint")
        top.addWidget(self.dept_filter, 1)
        top.addWidget(self.dept_count)
        layout.addLayout(top)
        self.departments_model = DepartmentsModel(self)
        self.departments_model.edited.connect(self._dept_edited)
        self.dept_proxy = QSortFilterProxyModel(self)
        self.dept_proxy.setSourceModel(self.departments_model)
        self.dept_proxy.setFilterKeyColumn(0)
        self.dept_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.dept_filter.textChanged.connect(self.dept_proxy.setFilterFixedString)
        self.departments_view = edit_table(self.dept_proxy, "departmentsTable")
        header = self.departments_view.horizontalHeader()
        for column, width in enumerate((260, 120, 120, 160, 170, 90)):
            self.departments_view.setColumnWidth(column, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.departments_view, 1)
        layout.addWidget(hint(self.tr("停用的单位不再出现在接待室的选择中，已有案件不受影响。")))

        add = QGroupBox(self.tr("添加单位"))
        grid = QGridLayout(add)
        grid.setHorizontalSpacing(8)
        self.new_dept_name = QLineEdit()
        self.new_dept_name.setObjectName("newDepartmentName")
        self.new_dept_name.setPlaceholderText(self.tr("全称（必填）"))
        self.new_dept_short = QLineEdit()
        self.new_dept_short.setObjectName("newDepartmentShort")
        self.new_dept_short.setPlaceholderText(self.tr("简称"))
        self.new_dept_kind = QComboBox()
        self.new_dept_kind.setObjectName("newDepartmentKind")
        self.new_dept_kind.addItem(self.tr("区级部门"), "bureau")
        self.new_dept_kind.addItem(self.tr("乡镇（街道）"), "township")
        self.new_dept_contact = QLineEdit()
        self.new_dept_contact.setObjectName("newDepartmentContact")
        self.new_dept_contact.setPlaceholderText(self.tr("联系人"))
        self.new_dept_phone = QLineEdit()
        self.new_dept_phone.setObjectName("newDepartmentPhone")
        self.new_dept_phone.setPlaceholderText(self.tr("联系电话"))
        self.new_dept_theme = QComboBox()
        self.new_dept_theme.setObjectName("newDepartmentTheme")
        self.new_dept_theme.addItem(self.tr("（不设为常用）"), "")
        for theme in THEMES:
            self.new_dept_theme.addItem(self.tr("常用于：{0}").format(theme.name), theme.code)
        self.add_dept_button = QPushButton(self.tr("添加"))
        self.add_dept_button.setObjectName("addDepartmentButton")
        self.add_dept_button.setProperty("role", "primary")
        self.add_dept_button.clicked.connect(lambda: self.spawn(self.add_department()))
        self.new_dept_name.returnPressed.connect(self.add_dept_button.click)
        grid.addWidget(self.new_dept_name, 0, 0)
        grid.addWidget(self.new_dept_short, 0, 1)
        grid.addWidget(self.new_dept_kind, 0, 2)
        grid.addWidget(self.new_dept_contact, 1, 0)
        grid.addWidget(self.new_dept_phone, 1, 1)
        grid.addWidget(self.new_dept_theme, 1, 2)
        grid.addWidget(self.add_dept_button, 0, 3, 2, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.dept_message = QLabel()
        self.dept_message.setObjectName("departmentMessage")
        self.dept_message.setProperty("role", "done")
        grid.addWidget(self.dept_message, 2, 0, 1, 4)
        layout.addWidget(add)
        return tab

    def _dept_edited(self, dept_id: int, field: str, value: Any) -> None:
        dept = next((d for d in self.departments_model.rows if d.id == dept_id), None)
        if dept is None:
            return
        seen = {key: getattr(dept, key) for key in DEPARTMENT_CONFLICT_FIELDS}
        self._dept_edits.items.append(Edit(dept_id, field, value, dept.version, seen))
        if not self._dept_edits.running:
            self._dept_edits.running = True  # now, not when the task starts: the next edit must not start another
            self.spawn(self._drain(self._dept_edits, plan.update_department, self._refresh_departments))

    async def _refresh_departments(self) -> dict[int, int]:
        departments = await self.ctx.read(plan.list_departments, self.ctx.db)
        self.departments_model.set_rows(departments, keep=self._dept_edits.queued_cells())
        return {d.id: d.version for d in departments}

    async def add_department(self) -> None:
        """添加 a department to the directory (optionally as a default of a theme)."""
        name = self.new_dept_name.text().strip()
        if not name:
            self.dept_message.setText(self.tr("请填写单位全称。"))
            return
        theme = str(self.new_dept_theme.currentData() or "")
        self.add_dept_button.setEnabled(False)
        try:
            await self.ctx.write(
                plan.create_department,
                self.ctx.db,
                name,
                self.new_dept_short.text().strip(),
                str(self.new_dept_kind.currentData()),
                self.new_dept_contact.text().strip(),
                self.new_dept_phone.text().strip(),
                (theme,) if theme else (),
                self.ctx.actor,
            )
        except Exception as exc:
            show_error(self, exc)
            return
        finally:
            self.add_dept_button.setEnabled(True)
        for edit in (self.new_dept_name, self.new_dept_short, self.new_dept_contact, self.new_dept_phone):
            edit.clear()
        self.new_dept_theme.setCurrentIndex(0)
        self.dept_message.setText(self.tr("已添加“{0}”。").format(name))
