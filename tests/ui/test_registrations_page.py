"""The 预登记 page, driven through its real widgets: import wizard, search by pinyin, add, edit, export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWizard

from reception_desk.db.models import Batch
from reception_desk.domain import resident_id
from reception_desk.domain.batches import Flag
from reception_desk.domain.names import initials
from reception_desk.services.registration_edit import load_registration
from reception_desk.services.registrations import (
    PersonInput,
    RegistrationInput,
    add_registration,
    list_registrations,
)
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.import_wizard import ImportWizard
from reception_desk.ui.dialogs.registration_dialog import Level, RegistrationDialog
from reception_desk.ui.models.registrations_model import Column
from reception_desk.ui.pages.registrations_page import RegistrationsPage

SHOTS = Path("/tmp/shots")
WXD_ID = resident_id.make("330803", dt.date(1958, 3, 12), 21)
OTHER_ID = resident_id.make("330803", dt.date(1971, 9, 9), 88)
BAD_CHECKSUM = OTHER_ID[:-1] + ("1" if OTHER_ID[-1] != "1" else "2")
WAIT = 8000


@pytest.fixture
def page(qtbot: Any, app_ctx: AppContext) -> RegistrationsPage:
    """The page, shown and loaded."""
    widget = RegistrationsPage(app_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    with qtbot.waitSignal(widget.reloaded, timeout=WAIT):
        widget.schedule_reload()
    return widget


def register(ctx: AppContext, name: str, id_number: str = "", phone: str = "", **kw: Any) -> int:
    """A batch through the real service; its id."""
    data = RegistrationInput(PersonInput(name, id_number, phone), kw.pop("request", f"{name}反映问题"), **kw)
    assert ctx.day_id is not None
    return add_registration(ctx.db, ctx.day_id, data)[0]


def cell(page: RegistrationsPage, row: int, column: Column) -> str:
    """What the table shows in a cell (empty while the row is loading)."""
    return str(page.model.data(page.model.index(row, column)) or "")


def table_names(page: RegistrationsPage) -> list[str]:
    """The 姓名 column of every row (loaded or not)."""
    return [cell(page, r, Column.NAME) for r in range(page.model.rowCount())]


def make_workbook(path: Path) -> None:
    """A sheet as offices send it: a title row, the header on row 2, four data rows (Excel rows 3-6)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["区领导下访接访日预登记名单"])
    ws.append(["序号", "来访人姓名", "身份证号码", "联系电话", "来访人数", "所属乡镇（街道）", "问题类别",
               "反映问题及诉求", "同行人员"])  # fmt: skip
    ws.append([1, "王学德", WXD_ID, "13805701234", 3, "湖南镇", "土地拆迁", "反映征地补偿款未到位", "李秀英、张三"])
    ws.append([2, "刘桂兰", "", "", 1, "樟潭街道", "劳动社保", "", ""])  # no request: rejected
    ws.append([3, "陈志红", BAD_CHECKSUM, "0570-3023456", 1, "莲花镇", "环保", "反映养殖场污染", ""])  # warning
    ws.append([4, "王学德", WXD_ID, "13805701234", 1, "湖南镇", "土地拆迁", "再次反映征地补偿", ""])  # duplicate
    wb.save(path)


def test_import_through_the_wizard(qtbot: Any, page: RegistrationsPage, app_ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "预登记名单.xlsx"
    make_workbook(path)
    page.import_button.click()
    wizard = page.active_wizard
    assert isinstance(wizard, ImportWizard) and wizard.isVisible()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.file_page.path.setText(str(path))
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)

    preview = wizard.preview_page
    qtbot.waitUntil(lambda: preview.model.rowCount() == 4, timeout=WAIT)
    rows = [[preview.model.data(preview.model.index(r, c)) for c in range(4)] for r in range(4)]
    assert [r[0] for r in rows] == ["3", "4", "5", "6"]  # Excel's row numbers
    # the preview says what WILL happen, in the verdicts, the reasons and the counts
    assert [r[2] for r in rows] == ["将导入", "将拒绝", "将照录", "重复"]
    assert rows[0][1] == "王学德" and "诉求" in rows[1][3] and "校验位" in rows[2][3]
    assert rows[0][3] == "将导入" and "将照录" in rows[2][3] and "将不导入" in rows[3][3]
    assert not any("已导入" in r[3] or "已照录" in r[3] or "未重复导入" in r[3] for r in rows)
    assert "将导入 2 行（其中照录待核 1 行），将拒绝 1 行，重复 1 行将不导入" in preview.counts.text()
    assert "将导入 2 批 4 人" in preview.counts.text() and "已导入" not in preview.counts.text()
    assert "将导入" in wizard.preview_page.subTitle() and "将照录" in wizard.preview_page.subTitle()
    preview.only_problems.setChecked(True)
    assert preview.table.model().rowCount() == 3
    if SHOTS.exists():
        wizard.grab().save(str(SHOTS / "import_preview.png"))

    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.isEnabled() and commit.text() == "开始导入"
    qtbot.mouseClick(commit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=WAIT)
    assert "已导入 2 批 4 人" in wizard.report_page.summary.text()
    assert wizard.report_page.model.rowCount() == 3  # rejected, warning, duplicate
    report_rows = wizard.report_page.model
    assert [report_rows.data(report_rows.index(r, 2)) for r in range(3)] == ["已拒绝", "已照录", "重复"]
    # then the wizard offers to place the new batches in rooms; this time the clerk says later
    qtbot.waitUntil(lambda: wizard.assign_box is not None and wizard.assign_box.isVisible(), timeout=WAIT)
    box = wizard.assign_box
    assert box is not None and box.defaultButton() is box.button(QMessageBox.StandardButton.Yes)
    box.button(QMessageBox.StandardButton.No).click()
    assert wizard.assign_box is None and wizard.report_page.assign_state.text() == ""
    if SHOTS.exists():
        wizard.grab().save(str(SHOTS / "import_report.png"))
    report_file = tmp_path / "报告.csv"
    page.spawn(wizard.report_page.export_to(report_file))
    qtbot.waitUntil(lambda: "已导出" in wizard.report_page.export_state.text(), timeout=WAIT)
    assert "拒绝" in report_file.read_text(encoding="utf-8-sig")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert not wizard.isVisible()

    assert app_ctx.day_id is not None
    in_db = list_registrations(app_ctx.db, app_ctx.day_id)
    assert [(r.reg_no, r.name, r.headcount) for r in in_db] == [("Y0001", "王学德", 3), ("Y0002", "陈志红", 1)]
    assert in_db[1].flags == (Flag.ID_TO_CHECK.value,)
    qtbot.waitUntil(lambda: table_names(page) == ["王学德（同行：李秀英、张三）", "陈志红"], timeout=WAIT)
    assert page.count_label.text() == "共 2 批 4 人"
    assert cell(page, 1, Column.FLAGS) == "待核"
    assert "导入 2 批 4 人" in page.page_message.text()


def test_cancel_during_the_import_rolls_it_back(
    qtbot: Any, page: RegistrationsPage, app_ctx: AppContext, tmp_path: Path
) -> None:
    path = tmp_path / "名单.xlsx"
    make_workbook(path)
    page.import_button.click()
    wizard = page.active_wizard
    assert wizard is not None
    wizard.file_page.path.setText(str(path))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.isComplete(), timeout=WAIT)
    wizard.next()  # commit: the import starts on the slow thread
    wizard.reject()  # Cancel while it runs: refused as "close", taken as "roll back"
    assert wizard.isVisible()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=WAIT)
    assert wizard.report_page.summary.text() == "导入已取消，没有写入任何数据。"
    assert list_registrations(app_ctx.db, app_ctx.day_id or 0) == []
    wizard.accept()


def test_search_by_pinyin_initials(qtbot: Any, page: RegistrationsPage, app_ctx: AppContext) -> None:
    wxd = register(app_ctx, "王学德", WXD_ID, "13805701234", theme_code="land")
    register(app_ctx, "王小明", phone="13905700000")
    wu = register(app_ctx, "吴秀丽")
    lead = register(app_ctx, "李秀英", companions=[PersonInput("张三"), PersonInput("王雪东")])  # wxd: a companion
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=WAIT)

    page.search_box.setFocus()
    qtbot.keyClicks(page.search_box, "wxd")
    qtbot.waitUntil(lambda: page.model.ids() == [wxd, lead], timeout=WAIT)
    qtbot.waitUntil(lambda: cell(page, 0, Column.NAME) == "王学德", timeout=WAIT)
    assert cell(page, 1, Column.NAME) == "李秀英（同行：王雪东、张三）"  # the companion found comes first
    assert page.count_label.text() == "共 2 批 4 人"

    qtbot.keyClick(page.search_box, Qt.Key.Key_Backspace)
    qtbot.keyClicks(page.search_box, "l")  # "wxl": 吴秀丽
    qtbot.waitUntil(lambda: page.model.ids() == [wu], timeout=WAIT)
    page.search_box.clear()
    qtbot.keyClicks(page.search_box, "1234")  # the phone's last four (other fragments are not searchable)
    qtbot.waitUntil(lambda: page.model.ids() == [wxd], timeout=WAIT)
    page.search_box.clear()
    qtbot.keyClicks(page.search_box, WXD_ID[-4:])  # the last four of the ID
    qtbot.waitUntil(lambda: page.model.ids() == [wxd], timeout=WAIT)

    page.search_box.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=WAIT)
    page.theme_filter.setCurrentIndex(page.theme_filter.findData("land"))
    qtbot.waitUntil(lambda: page.model.ids() == [wxd], timeout=WAIT)
    page.clear_filters.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=WAIT)


def test_selection_survives_a_reload(qtbot: Any, page: RegistrationsPage, app_ctx: AppContext) -> None:
    first = register(app_ctx, "张建国")
    second = register(app_ctx, "刘桂兰")
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)
    assert page.select_batch(second)
    page.search_box.setText("")  # nothing typed: the list stays the whole day
    new_id, changes = add_registration(
        app_ctx.db, app_ctx.day_id or 0, RegistrationInput(PersonInput("陈志红"), "反映问题")
    )
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        app_ctx.bus.publish(changes)
    assert page.model.ids() == [first, second, new_id]
    assert page.selected_ids() == [second] and page.current_id() == second


def test_add_a_batch_through_the_dialog(qtbot: Any, page: RegistrationsPage, app_ctx: AppContext) -> None:
    page.add_button.click()
    dialog = page.active_dialog
    assert isinstance(dialog, RegistrationDialog) and dialog.isVisible()
    assert not dialog.is_ready()
    assert dialog.missing.text() == "请填写：姓名、诉求"

    dialog.lead_name.setText("赵六")
    dialog.lead_id.setText("3.30803197001011E+17")  # what a spreadsheet makes of the number
    assert dialog.lead_id_status.property("level") == Level.ERROR.value
    assert "被表格存成了数字" in dialog.lead_id_status.text()
    dialog.lead_id.setText(BAD_CHECKSUM)
    assert dialog.lead_id_status.text() == "校验位不符，将标记待核"
    assert dialog.lead_id_status.property("level") == Level.WARN.value
    dialog.lead_id.clear()
    qtbot.keyClicks(dialog.lead_id, OTHER_ID[:10])
    assert dialog.lead_id_status.property("level") == Level.ERROR.value  # half typed: bad shape
    qtbot.keyClicks(dialog.lead_id, OTHER_ID[10:])
    assert dialog.lead_id_status.text().startswith("✓ 校验通过")
    dialog.lead_id.setText(BAD_CHECKSUM)

    qtbot.keyClicks(dialog.lead_phone, "12345")
    assert dialog.lead_phone_status.property("level") == Level.ERROR.value
    dialog.lead_phone.clear()
    qtbot.keyClicks(dialog.lead_phone, "138 0570 9999")
    assert dialog.lead_phone_status.text() == "✓ 138 0570 9999"

    dialog.companions.setPlainText(f"李秀英 {WXD_ID} 13905701234\n张三\n王五 李四\n赵七\n")
    assert dialog.headcount.value() == 5  # at least the lead and the four companions
    assert "集体访" in dialog.headcount_hint.text()
    dialog.request.setPlainText("反映征地补偿款至今未到位，要求尽快发放")
    assert dialog.theme.currentData() == "land"  # inferred from the request
    dialog.township.setEditText("湖南镇")
    assert dialog.is_ready()
    if SHOTS.exists():
        dialog.grab().save(str(SHOTS / "registration_dialog.png"))
    qtbot.keyClick(dialog.lead_name, Qt.Key.Key_Return)  # Enter confirms

    assert app_ctx.day_id is not None
    qtbot.waitUntil(lambda: len(list_registrations(app_ctx.db, app_ctx.day_id or 0)) == 1, timeout=WAIT)
    row = list_registrations(app_ctx.db, app_ctx.day_id)[0]
    assert (row.name, row.headcount, row.theme_code, row.township, row.phone) == (
        "赵六",
        5,
        "land",
        "湖南镇",
        "13805709999",
    )
    assert set(row.flags) == {Flag.ID_TO_CHECK.value, Flag.COLLECTIVE.value}
    qtbot.waitUntil(lambda: page.current_id() == row.batch_id, timeout=WAIT)
    qtbot.waitUntil(lambda: cell(page, 0, Column.FLAGS) == "待核、集体访", timeout=WAIT)
    assert "已登记 Y0001 赵六" in page.page_message.text()


def test_edit_a_batch(qtbot: Any, page: RegistrationsPage, app_ctx: AppContext) -> None:
    batch_id = register(app_ctx, "王学德", WXD_ID, "13805701234", township="湖南镇",
                        companions=[PersonInput("李秀英", OTHER_ID)])  # fmt: skip
    register(app_ctx, "刘桂兰")
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)
    page.select_batch(batch_id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter edits
    qtbot.waitUntil(lambda: page.active_dialog is not None and page.active_dialog.isVisible(), timeout=WAIT)
    dialog = page.active_dialog
    assert dialog is not None and dialog.editing
    assert dialog.lead_id.text() == resident_id.mask(WXD_ID)  # never shown whole
    assert dialog.lead_id_status.text().startswith("✓ 校验通过")
    assert dialog.companions.toPlainText() == f"李秀英 {resident_id.mask(OTHER_ID)}"
    dialog.lead_name.setText("王学得")  # a misspelt name corrected
    dialog.request.setPlainText("反映征地补偿款未到位，另反映安置房问题")
    dialog.companions.setPlainText(dialog.companions.toPlainText() + "\n张三")
    dialog.ok_button.click()

    def saved() -> Batch:
        with app_ctx.db.read() as session:
            return session.get_one(Batch, batch_id)

    qtbot.waitUntil(lambda: saved().version == 2, timeout=WAIT)
    with app_ctx.db.read() as session:
        batch = session.get_one(Batch, batch_id)
        assert batch.lead.name == "王学得" and batch.lead.id_number == WXD_ID
        assert [m.visitor.name for m in batch.members] == ["王学得", "李秀英", "张三"]
        assert batch.members[1].visitor.id_number == OTHER_ID  # the masked ID mapped back
        assert batch.headcount == 3 and "安置房" in batch.request
    qtbot.waitUntil(lambda: cell(page, 0, Column.NAME) == "王学得（同行：李秀英、张三）", timeout=WAIT)
    assert page.current_id() == batch_id
    assert "已保存 Y0001 王学得" in page.page_message.text()


def test_keyboard(qtbot: Any, page: RegistrationsPage, app_ctx: AppContext) -> None:
    first = register(app_ctx, "王学德")
    register(app_ctx, "李秀英")
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=WAIT)

    def from_search(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.waitUntil(page.isActiveWindow, timeout=WAIT)
        page.search_box.setFocus()
        qtbot.keyClick(page.search_box, key, modifier)

    ctrl = Qt.KeyboardModifier.ControlModifier
    from_search(Qt.Key.Key_E, ctrl)  # a line edit would take Ctrl+E as "end of line" on X11: the page wins
    assert page.export_dialog is not None and page.export_dialog.isVisible()
    page.export_dialog.reject()
    from_search(Qt.Key.Key_I, ctrl)
    assert page.active_wizard is not None and page.active_wizard.isVisible()
    page.active_wizard.reject()
    from_search(Qt.Key.Key_N, ctrl)
    assert page.active_dialog is not None and page.active_dialog.isVisible()
    qtbot.keyClick(page.active_dialog.lead_name, Qt.Key.Key_Escape)  # Esc cancels
    assert not page.active_dialog.isVisible()

    from_search(Qt.Key.Key_Down)  # ↓ goes to the list, on its first row
    assert page.table.hasFocus() and page.current_id() == first
    qtbot.keyClicks(page.table, "lxy")  # typing in the list types into the search box
    assert page.search_box.text() == "lxy" and page.search_box.hasFocus()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Escape)  # Esc clears the search
    assert page.search_box.text() == ""
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)


def test_export_to_xlsx(qtbot: Any, page: RegistrationsPage, app_ctx: AppContext, tmp_path: Path) -> None:
    register(app_ctx, "王学德", WXD_ID, "13805701234", theme_code="land", township="湖南镇")
    register(app_ctx, "张建国", headcount=6)
    page.export_button.click()
    dialog = page.export_dialog
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "导出" / "名单.xlsx"
    target.parent.mkdir()
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(lambda: "已导出 2 条" in page.page_message.text(), timeout=WAIT)
    sheet = openpyxl.load_workbook(target).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0].endswith("预登记名单")  # the title row
    assert values[1][:3] == ["登记号", "姓名", "身份证号"]
    assert values[2][:5] == ["Y0001", "王学德", resident_id.mask(WXD_ID), "138****1234", 1]  # phones masked too
    assert values[3][1] == "张建国" and values[3][-1] == "集体访"


def test_screenshots(qtbot: Any, app_ctx: AppContext, tmp_path: Path) -> None:
    """Render the page with a demo day, the dialog and the wizard, for a look (saved under /tmp/shots)."""
    from reception_desk.services import demo

    SHOTS.mkdir(parents=True, exist_ok=True)
    info = demo.create_demo_day(app_ctx.db, seed=2006, date=dt.date(2026, 12, 11))
    app_ctx.set_day(info.id)
    page = RegistrationsPage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1190, 780)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    assert page.model.rowCount() > 100
    qtbot.waitUntil(lambda: page.model.is_loaded(0) and page.model.is_loaded(20), timeout=WAIT)
    page.select_batch(page.model.ids()[3])
    page.grab().save(str(SHOTS / "registrations.png"))

    qtbot.keyClicks(page.search_box, "w")
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < 100, timeout=WAIT)
    visible = min(page.model.rowCount(), 20) - 1
    qtbot.waitUntil(lambda: page.model.is_loaded(0) and page.model.is_loaded(visible), timeout=WAIT)
    page.select_batch(page.model.ids()[0])
    page.grab().save(str(SHOTS / "registrations_search.png"))

    page.edit_button.click()
    qtbot.waitUntil(lambda: page.active_dialog is not None and page.active_dialog.isVisible(), timeout=WAIT)
    assert page.active_dialog is not None
    page.active_dialog.grab().save(str(SHOTS / "registration_dialog_edit.png"))
    page.active_dialog.reject()

    # the same person registered again, with a bad ID among the companions: all three flag colours
    lead = load_registration(app_ctx.db, page.model.ids()[1]).data.lead
    companions = [PersonInput(f"同行{i}") for i in range(4)] + [PersonInput("刘桂兰", BAD_CHECKSUM)]
    register(app_ctx, lead.name, lead.id_number, lead.phone, request="再次反映", companions=companions)
    page.search_box.setText(initials(lead.name))

    def found_again() -> bool:
        rows = range(page.model.rowCount())
        return len(rows) < 10 and any("疑似重复" in cell(page, r, Column.FLAGS) for r in rows)

    qtbot.waitUntil(found_again, timeout=WAIT)
    page.grab().save(str(SHOTS / "registrations_flags.png"))
    page.search_box.clear()

    page.import_button.click()
    assert page.active_wizard is not None
    page.active_wizard.grab().save(str(SHOTS / "import_file.png"))
    page.active_wizard.reject()


def test_a_search_without_results_says_so(qtbot: Any, page: RegistrationsPage, app_ctx: AppContext) -> None:
    register(app_ctx, "王学德", WXD_ID, "13805701234")
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT)
    assert not page.no_results.isVisible()
    page.search_box.setFocus()
    qtbot.keyClicks(page.search_box, "zzq")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0 and page.no_results.isVisible(), timeout=WAIT)
    assert page.no_results.text().startswith("没有找到与“zzq”相符的登记")
    assert page.table.viewport().rect().contains(page.no_results.geometry())
    page.search_box.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT)
    assert not page.no_results.isVisible()


def test_after_an_import_the_new_batches_are_assigned_and_the_status_bar_keeps_the_summary(
    qtbot: Any, app_ctx: AppContext, tmp_path: Path
) -> None:
    from PySide6.QtCore import QTimer

    window = QMainWindow()
    qtbot.addWidget(window)
    page = RegistrationsPage(app_ctx)
    window.setCentralWidget(page)
    window.resize(1200, 760)
    window.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    path = tmp_path / "名单.xlsx"
    make_workbook(path)
    page.import_button.click()
    wizard = page.active_wizard
    assert wizard is not None
    wizard.file_page.path.setText(str(path))
    wizard.next()
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=WAIT)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.assign_box is not None and wizard.assign_box.isVisible(), timeout=WAIT)
    status = window.statusBar()
    assert "导入 2 批 4 人" in status.currentMessage()

    box = wizard.assign_box
    assert box is not None
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter takes the default: assign now
    qtbot.waitUntil(lambda: "已自动分配 2 批" in wizard.report_page.assign_state.text(), timeout=WAIT)
    rows = list_registrations(app_ctx.db, app_ctx.day_id or 0)
    assert len(rows) == 2 and all(r.room_number is not None for r in rows)
    qtbot.waitUntil(lambda: "已自动分配 2 批" in status.currentMessage(), timeout=WAIT)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    # the page reloads with the rooms; the message is still there and nothing is set to clear it
    qtbot.waitUntil(lambda: cell(page, 0, Column.ROOM) != "", timeout=WAIT)
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    assert "导入 2 批 4 人" in status.currentMessage() and "已自动分配 2 批" in status.currentMessage()
    assert not any(timer.isActive() for timer in status.findChildren(QTimer))
