"""The settings page: rooms and departments edited with version checks, days created and switched, the
database connection test, the language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QTableView
from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Department, Room
from reception_desk.services import plan
from reception_desk.services.db_probe import probe_database
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.conflict_dialog import ConflictDialog, Side
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.settings_page import SettingsPage
from tests.conftest import PG_URL, postgres_unavailable

WAIT = 5000
HOST_COLUMN, THEME_COLUMN = 3, 2


def _page(qtbot: Any, ctx: AppContext, pages: list[Page]) -> SettingsPage:
    page = SettingsPage(ctx)
    pages.append(page)
    page.resize(1190, 780)
    page.show()
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.rooms_model.rowCount() == 15 and page.departments_model.rowCount() > 0, timeout=WAIT)
    return page


def _room(ctx: AppContext, number: int) -> Room:
    with ctx.db.read() as session:
        room = session.scalar(select(Room).where(Room.day_id == ctx.day_id, Room.number == number))
        assert room is not None
        return room


def _edit_text(qtbot: Any, view: QTableView, index: QModelIndex, text: str) -> None:
    """Open the cell's editor as a double-click would, type, press Enter."""
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.setText(text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_edit_room_host_in_the_table(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    page.tabs.setCurrentIndex(2)
    view = page.rooms_view
    _edit_text(qtbot, view, page.rooms_model.index(4, HOST_COLUMN), "区长 王强")
    qtbot.waitUntil(lambda: _room(app_ctx, 5).host == "区长 王强", timeout=WAIT)
    assert _room(app_ctx, 5).version == 2
    qtbot.waitUntil(lambda: page.rooms_model.room(4).version == 2, timeout=WAIT)
    assert page.rooms_model.index(4, HOST_COLUMN).data() == "区长 王强"

    # a second edit of the same row uses the version the first one produced
    _edit_text(qtbot, view, page.rooms_model.index(4, 4), "教学楼1楼 105教室（东）")
    qtbot.waitUntil(lambda: _room(app_ctx, 5).location == "教学楼1楼 105教室（东）", timeout=WAIT)
    assert _room(app_ctx, 5).host == "区长 王强"


def test_quick_edits_do_not_refuse_each_other(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    model = page.rooms_model
    # two edits of room 6 before the first is written: the second goes on the version the first produced
    assert model.setData(model.index(5, HOST_COLUMN), "区委常委 甲")
    assert model.setData(model.index(5, 4), "教学楼1楼 106教室（西）")
    qtbot.waitUntil(lambda: _room(app_ctx, 6).location == "教学楼1楼 106教室（西）", timeout=WAIT)
    assert _room(app_ctx, 6).host == "区委常委 甲" and _room(app_ctx, 6).version == 3
    assert page.findChild(QMessageBox, "errorDialog") is None


def test_theme_is_chosen_from_a_combo(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    page.tabs.setCurrentIndex(2)
    index = page.rooms_model.index(14, THEME_COLUMN)
    assert index.data() == "综合（其他）"
    page.rooms_view.edit(index)
    combo = page.rooms_view.viewport().findChild(QComboBox)
    assert combo is not None
    combo.setCurrentIndex(combo.findText("教育卫生"))
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.rooms_model.index(14, THEME_COLUMN).data() == "教育卫生", timeout=WAIT)
    qtbot.waitUntil(
        lambda: plan.list_rooms(app_ctx.db, app_ctx.day_id or 0)[14].theme_code == "edu_health", timeout=WAIT
    )
    qtbot.waitUntil(lambda: page.rooms_model.room(14).theme_code == "edu_health", timeout=WAIT)


def _stale_room_edit(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> tuple[SettingsPage, int]:
    """Room 3: another laptop (another Database on the file) saves host and location; this page edits host and
    capacity on what it loaded; the save opens the conflict dialog."""
    page = _page(qtbot, app_ctx, pages)
    page.tabs.setCurrentIndex(2)
    room = _room(app_ctx, 3)
    other = Database(app_ctx.db.url)
    try:
        plan.update_room(other, room.id, room.version, "登记台2", host="副区长 李华", location="教学楼2楼 201教室")
    finally:
        other.dispose()
    model = page.rooms_model
    assert model.setData(model.index(2, HOST_COLUMN), "区长 王强")
    assert model.setData(model.index(2, 5), 12)
    qtbot.waitUntil(lambda: page.active_conflict is not None and page.active_conflict.isVisible(), timeout=WAIT)
    return page, room.id


def test_stale_room_edit_opens_the_conflict_dialog_and_saves_the_merge(
    qtbot: Any, app_ctx: AppContext, pages: list[Page]
) -> None:
    before = _room(app_ctx, 3)
    page, _room_id = _stale_room_edit(qtbot, app_ctx, pages)
    conflict = page.active_conflict
    assert isinstance(conflict, ConflictDialog)
    assert conflict.shown("host") == ("副区长 李华", "区长 王强")
    assert conflict.shown("location") == ("教学楼2楼 201教室", before.location)
    # the queued capacity edit of the same row is part of mine; fields nobody changed are not asked
    assert {f.key for f in conflict.fields} == {"host", "location", "capacity"}
    assert conflict.choices() == {"host": Side.MINE, "location": Side.THEIRS, "capacity": Side.MINE}
    conflict.choose("capacity", Side.THEIRS)
    conflict.merge_button.click()
    qtbot.waitUntil(lambda: _room(app_ctx, 3).version == before.version + 2, timeout=WAIT)
    after = _room(app_ctx, 3)
    assert (after.host, after.location, after.capacity) == ("区长 王强", "教学楼2楼 201教室", before.capacity)
    qtbot.waitUntil(lambda: page.rooms_model.index(2, HOST_COLUMN).data() == "区长 王强", timeout=WAIT)
    qtbot.waitUntil(lambda: "已合并保存" in page.rooms_message.text(), timeout=WAIT)


def test_stale_room_edit_reload_takes_theirs_and_writes_nothing(
    qtbot: Any, app_ctx: AppContext, pages: list[Page]
) -> None:
    before = _room(app_ctx, 3)
    page, _room_id = _stale_room_edit(qtbot, app_ctx, pages)
    assert page.active_conflict is not None
    page.active_conflict.reload_button.click()
    qtbot.waitUntil(lambda: "已重新载入" in page.rooms_message.text(), timeout=WAIT)
    after = _room(app_ctx, 3)
    assert (after.host, after.capacity, after.version) == ("副区长 李华", before.capacity, before.version + 1)
    assert page.rooms_model.index(2, HOST_COLUMN).data() == "副区长 李华"
    assert page.findChild(QMessageBox, "errorDialog") is None


def test_stale_department_edit_opens_the_conflict_dialog(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    page.tabs.setCurrentIndex(3)
    dept = plan.list_departments(app_ctx.db)[0]
    other = Database(app_ctx.db.url)
    try:
        plan.update_department(other, dept.id, dept.version, "登记台2", phone="0570-1111111", contact="张三")
    finally:
        other.dispose()
    model = page.departments_model
    row = next(i for i, d in enumerate(model.rows) if d.id == dept.id)
    assert model.setData(model.index(row, 4), "0570-2222222")
    qtbot.waitUntil(lambda: page.active_conflict is not None and page.active_conflict.isVisible(), timeout=WAIT)
    conflict = page.active_conflict
    assert conflict is not None
    assert conflict.shown("phone") == ("0570-1111111", "0570-2222222")
    conflict.choose("phone", Side.MINE)
    conflict.choose("contact", Side.THEIRS)
    conflict.merge_button.click()

    def saved() -> tuple[str, str, int]:
        with app_ctx.db.read() as session:
            row = session.get_one(Department, dept.id)
            return row.phone, row.contact, row.version

    qtbot.waitUntil(lambda: saved()[2] == dept.version + 2, timeout=WAIT)
    assert saved()[:2] == ("0570-2222222", "张三")


def test_create_a_day_and_switch_to_it(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    page.tabs.setCurrentIndex(1)
    first_day = app_ctx.day_id
    assert page.days_table.rowCount() == 1
    assert not page.switch_day_button.isEnabled()  # the current day is selected
    page.new_date.setDate(QDate(2026, 12, 11))
    page.new_leaders.setText("区长 王强")
    qtbot.mouseClick(page.create_day_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.days_table.rowCount() == 2, timeout=WAIT)
    qtbot.waitUntil(lambda: "已创建 2026年12月11日" in page.day_message.text(), timeout=WAIT)
    new_id = page.selected_day_id()
    assert new_id is not None and new_id != first_day
    assert page.days_table.item(0, 3).text() == "区长 王强"  # newest first

    with qtbot.waitSignal(app_ctx.day_changed, timeout=WAIT) as signal:
        qtbot.mouseClick(page.switch_day_button, Qt.MouseButton.LeftButton)
    assert signal.args == [new_id] and app_ctx.day_id == new_id
    new_rooms = {r.id for r in plan.list_rooms(app_ctx.db, new_id)}
    qtbot.waitUntil(lambda: {r.id for r in page.rooms_model.rows} == new_rooms, timeout=WAIT)
    assert "2026年12月11日" in page.rooms_title.text()
    assert page.days_table.item(0, 4).text() == "当前"


def test_creating_the_same_date_twice_is_refused(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    page.new_date.setDate(QDate(2026, 12, 4))
    qtbot.mouseClick(page.create_day_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "errorDialog") is not None, timeout=WAIT)
    box = page.findChild(QMessageBox, "errorDialog")
    assert box is not None and "已经存在" in box.text()


def test_connection_test_on_the_current_database(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    assert page.sqlite_radio.isChecked()
    assert page.sqlite_edit.text() == str(Path(app_ctx.db.engine.url.database or ""))
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.probe_result.text().startswith("成功"), timeout=WAIT)
    assert "SQLite 3." in page.probe_result.text() and "与本程序一致" in page.probe_result.text()
    assert page.probe_result.property("state") == "ok"


def test_connection_test_shows_the_error(qtbot: Any, app_ctx: AppContext, pages: list[Page], tmp_path: Path) -> None:
    page = _page(qtbot, app_ctx, pages)
    page.pg_radio.setChecked(True)
    page.pg_edit.setText("postgresql://nobody@127.0.0.1:1/none")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.probe_result.property("state") == "error", timeout=WAIT)
    assert page.probe_result.text().startswith("无法连接到数据库服务器")

    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_text("这不是数据库" * 200, encoding="utf-8")
    page.sqlite_radio.setChecked(True)
    page.sqlite_edit.setText(str(not_a_db))
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.probe_result.text().startswith("该文件不是可用的 SQLite 数据库"), timeout=WAIT)

    missing = tmp_path / "new" / "day.sqlite3"
    page.sqlite_edit.setText(str(missing))
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.probe_result.property("state") == "warn", timeout=WAIT)
    assert not missing.exists()  # a test never creates the file

    page.pg_radio.setChecked(True)
    page.pg_edit.setText("mysql://root@localhost/x")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "不支持的数据库类型" in page.probe_result.text(), timeout=WAIT)


def test_save_database_for_the_next_start(qtbot: Any, app_ctx: AppContext, pages: list[Page], tmp_path: Path) -> None:
    page = _page(qtbot, app_ctx, pages)
    target = tmp_path / "office.sqlite3"
    page.sqlite_edit.setText(str(target))
    qtbot.mouseClick(page.save_db_button, Qt.MouseButton.LeftButton)
    assert app_ctx.settings.value("db/url") == f"sqlite:///{target}"
    assert "下次启动" in page.probe_result.text()
    assert page.current_url.text() == app_ctx.db.engine.url.render_as_string(hide_password=True)

    page.pg_radio.setChecked(True)
    page.pg_edit.setText("postgresql://jfj:secret@10.0.0.5:5432/jiefang")
    qtbot.mouseClick(page.save_db_button, Qt.MouseButton.LeftButton)
    # the settings never hold the password (keyring, or this process only: tests/test_secrets_store.py)
    assert app_ctx.settings.value("db/url") == "postgresql://jfj@10.0.0.5:5432/jiefang"
    assert "secret" not in page.saved_url.text()

    again = SettingsPage(app_ctx)  # the password stays hidden in the field, and is kept when saved unchanged
    pages.append(again)
    assert again.pg_radio.isChecked() and "secret" not in again.pg_edit.text()
    assert again.chosen_url() == "postgresql://jfj:secret@10.0.0.5:5432/jiefang"


@pytest.mark.skipif(postgres_unavailable() is not None, reason="no PostgreSQL test server")
def test_probe_reads_the_postgresql_version() -> None:
    result = probe_database(PG_URL)
    assert result.ok and result.server.startswith("PostgreSQL ")


def test_departments_edit_and_add(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    page.tabs.setCurrentIndex(3)
    model = page.departments_model
    row = next(i for i, d in enumerate(model.rows) if d.name == "交通运输局")
    dept_id = model.rows[row].id
    # untick 启用
    model.setData(model.index(row, 5), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)

    def active() -> bool:
        with app_ctx.db.read() as session:
            dept = session.get(Department, dept_id)
            assert dept is not None
            return dept.active

    qtbot.waitUntil(lambda: not active(), timeout=WAIT)
    proxy_row = page.dept_proxy.mapFromSource(model.index(row, 1)).row()
    _edit_text(qtbot, page.departments_view, page.dept_proxy.index(proxy_row, 3), "Zhang")
    qtbot.waitUntil(lambda: plan.list_departments(app_ctx.db)[row].contact == "Zhang", timeout=WAIT)

    page.new_dept_name.setText("区城市管理局")
    page.new_dept_short.setText("城管局")
    page.new_dept_theme.setCurrentIndex(page.new_dept_theme.findData("urban"))
    qtbot.mouseClick(page.add_dept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(d.name == "区城市管理局" for d in model.rows), timeout=WAIT)
    assert page.dept_message.text() == "已添加“区城市管理局”。"
    assert "区城市管理局" in [d.name for d in plan.departments_for_theme(app_ctx.db, "urban")]

    page.dept_filter.setText("城市")
    assert page.dept_proxy.rowCount() == 1


def test_language_is_saved_for_the_next_start(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = _page(qtbot, app_ctx, pages)
    page.tabs.setCurrentIndex(4)
    assert page.zh_radio.isChecked()
    page.en_radio.click()
    assert app_ctx.settings.value("ui/language") == "en"
    assert "下次启动" in page.language_message.text()
