"""Printing in the app: the PDF preview (page count, save, print to a PDF printer), the print buttons of the room
host, the desk and the room board, and the print centre (department bundles, the whole day's slips)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget
from sqlalchemy import select

from reception_desk.db.models import Department
from reception_desk.domain import resident_id
from reception_desk.printing import HandoverSlipRenderer, RenderResult
from reception_desk.services import assignment, flow, print_data
from reception_desk.services.demo import create_demo_day
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.checkin_page import CheckInPage
from reception_desk.ui.pages.print_centre_page import PrintCentrePage
from reception_desk.ui.pages.room_board_page import RoomBoardPage
from reception_desk.ui.pages.room_host_page import RoomHostPage
from reception_desk.ui.printing import jobs
from reception_desk.ui.printing.preview_dialog import PdfPreviewDialog

WAIT = 10000
DEMO_DATE = dt.date(2026, 11, 28)
CASE_NO = re.compile(r"JF-\d{8}-\d{2}-\d{3}")
FULL_ID = re.compile(r"\d{17}[\dXx]")
TRANSPORT_ROOM = 8
VISITOR_ID = resident_id.make("330803", dt.date(1965, 3, 8), 311)


def pdf_text(data: bytes) -> str:
    """Every page's text, whitespace removed (wrapped lines joined back)."""
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text."""
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def show(qtbot: Any, page: Page, widgets: list[QWidget]) -> None:
    """Show a page at the window's size and wait for its first load."""
    widgets.append(page)
    page.resize(1190, 780)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()


def wait_preview(qtbot: Any, runner: jobs.PrintRunner, previous: PdfPreviewDialog | None = None) -> PdfPreviewDialog:
    """The preview the runner opens next, once its document is loaded."""
    qtbot.waitUntil(lambda: runner.last_preview is not None and runner.last_preview is not previous, timeout=WAIT)
    preview = runner.last_preview
    assert preview is not None
    qtbot.waitUntil(lambda: preview.page_count() > 0, timeout=WAIT)
    return preview


def demo_day(ctx: AppContext) -> int:
    """The demo day (15 rooms, ~170 batches, ~45 handed-over cases) becomes the context's day."""
    info = create_demo_day(ctx.db, seed=2006, date=DEMO_DATE)
    ctx.day_id = info.id
    return info.id


def slips_pdf(ctx: AppContext, count: int) -> tuple[bytes, list[str]]:
    """Slips of the demo day's first cases, and their numbers."""
    day_id = demo_day(ctx)
    cases = print_data.day_cases(ctx.db, day_id)[:count]
    out = io.BytesIO()
    HandoverSlipRenderer().render(cases, out)
    return out.getvalue(), [c.case_no for c in cases]


def preview_of(qtbot: Any, data: bytes, widgets: list[QWidget]) -> PdfPreviewDialog:
    """A preview dialog on these bytes, shown."""
    dialog = PdfPreviewDialog(data, "交办单", "交办单.pdf")
    widgets.append(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


# ---- the preview dialog ----


def test_preview_shows_every_page(qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]) -> None:
    data, numbers = slips_pdf(app_ctx, 3)
    dialog = preview_of(qtbot, data, widgets)
    assert dialog.page_count() == 3 == len(PdfReader(io.BytesIO(data)).pages)
    assert dialog.pages_label.text() == "第 1 页 / 共 3 页"
    assert dialog.view.document() is dialog.document
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    assert numbers[0] in dialog.document.getAllText(0).text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc closes
    assert not dialog.isVisible()


def test_save_as_writes_the_pdf(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, numbers = slips_pdf(app_ctx, 2)
    dialog = preview_of(qtbot, data, widgets)
    target = tmp_path / "saved" / "slips"  # no suffix: .pdf is added
    target.parent.mkdir()
    asked: list[str] = []

    def fake_save(_parent: Any, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    written = target.with_name("slips.pdf")
    assert written.read_bytes() == data
    assert asked and asked[0].endswith("交办单.pdf")
    text = pdf_text(written.read_bytes())
    assert all(number in text for number in numbers)
    assert dialog.saved_path == written


def test_printing_to_a_pdf_printer_gives_the_same_pages(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget], tmp_path: Path
) -> None:
    data, _numbers = slips_pdf(app_ctx, 3)
    dialog = preview_of(qtbot, data, widgets)

    def pdf_printer(name: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / name))
        printer.setFullPage(True)
        return printer

    assert dialog.print_to(pdf_printer("all.pdf")) == 3
    printed = PdfReader(str(tmp_path / "all.pdf"))
    assert len(printed.pages) == 3
    width_mm = float(printed.pages[0].mediabox.width) / 72 * 25.4
    assert abs(width_mm - 210) < 1  # A4, as the document

    # a page range from the dialog prints only those pages
    second = pdf_printer("second.pdf")
    second.setPrintRange(QPrinter.PrintRange.PageRange)
    second.setFromTo(2, 2)
    assert dialog.pages_to_print(second) == [1]
    assert dialog.print_to(second) == 1
    assert len(PdfReader(str(tmp_path / "second.pdf")).pages) == 1


def test_printing_from_the_event_loop_with_progress(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget], tmp_path: Path
) -> None:
    data, _numbers = slips_pdf(app_ctx, 4)
    dialog = preview_of(qtbot, data, widgets)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "loop.pdf"))
    dialog.start_printing(printer)
    assert not dialog.print_button.isEnabled()  # one job at a time
    assert dialog._print_progress is not None  # four pages: a progress dialog that can cancel
    qtbot.waitUntil(lambda: dialog._printing is None, timeout=WAIT)
    assert dialog.pages_printed == 4 and dialog.pages_label.text() == "已发送 4 页到打印机。"
    assert len(PdfReader(str(tmp_path / "loop.pdf")).pages) == 4
    assert dialog.print_button.isEnabled()


def test_missing_glyphs_are_named_to_the_user(qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]) -> None:
    data, _numbers = slips_pdf(app_ctx, 1)
    host = QWidget()
    widgets.append(host)
    runner = jobs.PrintRunner(app_ctx, host)
    printout = jobs.Printout(data, RenderResult(1, 1, frozenset({"\U00030000"})), "交办单.pdf")
    preview = runner.show_preview("交办单", printout)
    widgets.append(preview)
    box = preview.findChild(QMessageBox, "missingGlyphs")
    assert box is not None and "U+30000" in box.text() and "文档已生成" in box.text()


def test_a_cancelled_batch_stops_before_the_next_document(app_ctx: AppContext) -> None:
    day_id = demo_day(app_ctx)
    total = len(print_data.day_cases(app_ctx.db, day_id))
    seen: list[tuple[int, int]] = []
    progress: jobs.Progress

    def report(done: int, count: int) -> None:
        seen.append((done, count))
        if done == 2:
            progress.cancel()

    progress = jobs.Progress(report)
    with pytest.raises(jobs.PrintCancelled):
        jobs.build_day_slips(app_ctx.db, day_id, progress)
    assert seen == [(0, total), (1, total), (2, total)]  # the third slip was never drawn


# ---- the room host ----


def _register(ctx: AppContext, name: str, id_number: str | None = None) -> int:
    data = RegistrationInput(
        lead=PersonInput(name, id_number=id_number, phone="13857001234"),
        request=f"{name}反映村道破损多年，要求修复。",
        theme_code="transport",
        township="湖南镇",
        village="破石村",
    )
    batch_id, _ = add_registration(ctx.db, ctx.day_id or 0, data)
    return batch_id


def _dept_id(ctx: AppContext, name: str) -> int:
    with ctx.db.read() as session:
        found = session.scalar(select(Department.id).where(Department.name == name))
        assert found is not None
        return found


def test_room_host_prints_the_slip_of_the_case_just_saved(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]
) -> None:
    first = _register(app_ctx, "王学德", VISITOR_ID)
    assignment.assign_day(app_ctx.db, app_ctx.day_id or 0)
    flow.check_in(app_ctx.db, first, "登记台")
    page = RoomHostPage(app_ctx)
    show(qtbot, page, widgets)
    qtbot.waitUntil(lambda: page.room_combo.count() == 15, timeout=WAIT)
    page.choose_room(TRANSPORT_ROOM)
    qtbot.waitUntil(lambda: len(page.queue_model.items) == 1, timeout=WAIT)
    assert not page.print_bar.isVisible()  # nothing recorded in this room yet
    qtbot.waitUntil(page.call_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(page.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.form.batch_id == first and page.form.isEnabled(), timeout=WAIT)

    form = page.form
    form.instruction_edit.setPlainText("请区交通运输局三日内现场查看并答复。")
    qtbot.mouseClick(form.outcome_buttons["handed_over"], Qt.MouseButton.LeftButton)
    form.lead_combo.setCurrentIndex(form.lead_combo.findData(_dept_id(app_ctx, "交通运输局")))
    qtbot.mouseClick(form.colour_buttons["yellow"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    case_no = "JF-20261204-08-001"
    qtbot.waitUntil(lambda: page.case_banner.isVisible() and page.print_case_no() == case_no, timeout=WAIT)
    qtbot.waitUntil(page.print_slip_button.isEnabled, timeout=WAIT)
    assert page.print_bar.isVisible()

    qtbot.mouseClick(page.print_slip_button, Qt.MouseButton.LeftButton)
    preview = wait_preview(qtbot, page.printer)
    widgets.append(preview)
    text = pdf_text(preview.pdf_bytes())
    assert "交办单" in text and case_no in text
    assert resident_id.mask(VISITOR_ID) in text
    assert VISITOR_ID not in text and not FULL_ID.search(text)
    assert preview.page_count() == 1 and preview.file_name == f"交办单-{case_no}.pdf"
    preview.reject()

    # the receipt for the visitor, on the 80 mm till printer
    qtbot.mouseClick(page.print_thermal_button, Qt.MouseButton.LeftButton)
    receipt = wait_preview(qtbot, page.printer, preview)
    widgets.append(receipt)
    assert case_no in pdf_text(receipt.pdf_bytes())
    assert abs(receipt.document.pagePointSize(0).width() / 72 * 25.4 - 80) < 0.5
    receipt.reject()

    # Ctrl+P prints the slip again
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=WAIT)
    previous = page.printer.last_preview
    qtbot.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    again = wait_preview(qtbot, page.printer, previous)
    widgets.append(again)
    assert case_no in pdf_text(again.pdf_bytes())


# ---- the desk ----


def test_desk_prints_the_queue_ticket_after_check_in(qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]) -> None:
    batch = _register(app_ctx, "王学德", VISITOR_ID)
    assignment.assign_day(app_ctx.db, app_ctx.day_id or 0)
    page = CheckInPage(app_ctx)
    show(qtbot, page, widgets)
    assert page.print_ticket_button.isHidden()  # no ticket yet
    qtbot.waitUntil(page.search_box.hasFocus, timeout=WAIT)
    qtbot.keyClicks(page.search_box, "Y0001")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=WAIT)
    assert page.print_ticket_button.isVisible() and page.ticket_card is not None
    assert page.ticket_card.batch_id == batch

    qtbot.keyClick(page.search_box, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # Ctrl+P
    preview = wait_preview(qtbot, page.printer)
    widgets.append(preview)
    text = pdf_text(preview.pdf_bytes())
    assert "第8接待室1号" in text and "前面没有等候的批次" in text and "请到教学楼1楼108教室" in text
    assert "Y0001" in text and "王学德" in text and resident_id.mask(VISITOR_ID) in text
    assert not FULL_ID.search(text)
    preview.reject()
    qtbot.waitUntil(page.search_box.hasFocus, timeout=WAIT)  # back to the next visitor

    qtbot.keyClick(page.search_box, Qt.Key.Key_Escape)
    assert page.print_ticket_button.isHidden()


# ---- the room board ----


def test_room_board_prints_one_room_or_all(qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]) -> None:
    demo_day(app_ctx)
    page = RoomBoardPage(app_ctx)
    show(qtbot, page, widgets)
    qtbot.waitUntil(lambda: len(page.cards) == 15, timeout=WAIT)

    card = page.card_for_number(TRANSPORT_ROOM)
    menu = page.open_card_menu(card, card.rect().center())
    action = next(a for a in menu.actions() if a.objectName() == "printRoomSchedule")
    assert action.text() == "打印第8接待室安排表"
    action.trigger()
    menu.close()
    preview = wait_preview(qtbot, page.printer)
    widgets.append(preview)
    text = pdf_text(preview.pdf_bytes())
    assert "第8接待室接待安排表" in text and "第7接待室接待安排表" not in text
    preview.reject()

    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    everything = wait_preview(qtbot, page.printer, preview)
    widgets.append(everything)
    text = pdf_text(everything.pdf_bytes())
    assert all(f"第{n}接待室接待安排表" in text for n in range(1, 16))
    assert everything.page_count() >= 15


# ---- the print centre ----


def _centre(qtbot: Any, ctx: AppContext, widgets: list[QWidget]) -> PrintCentrePage:
    page = PrintCentrePage(ctx)
    show(qtbot, page, widgets)
    qtbot.waitUntil(lambda: page.department_model.rowCount() > 0, timeout=WAIT)
    return page


def test_print_centre_bundle_lists_exactly_that_departments_cases(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]
) -> None:
    day_id = demo_day(app_ctx)
    page = _centre(qtbot, app_ctx, widgets)
    hrss = _dept_id(app_ctx, "人力资源和社会保障局")
    expected = {c.case_no for c in print_data.day_cases(app_ctx.db, day_id, department_id=hrss)}
    assert expected
    row = next(r for r in page.department_model.rows if r.department_id == hrss)
    assert row.total == len(expected)
    assert not page.bundles_button.isEnabled()  # nothing selected

    page.select_department("人力资源和社会保障局")
    assert page.selected_department_ids() == [hrss]
    assert page.selection_label.text().startswith(f"已选 1 个单位，共 {len(expected)} 件")
    qtbot.mouseClick(page.bundles_button, Qt.MouseButton.LeftButton)
    preview = wait_preview(qtbot, page.printer)
    widgets.append(preview)
    texts = pdf_pages(preview.pdf_bytes())
    covers = [t for t in texts if "交 办 清 单" in t]
    assert len(covers) == 1 and "人力资源和社会保障局" in covers[0]
    assert set(CASE_NO.findall(covers[0])) == expected
    assert preview.page_count() == len(texts) >= 1 + len(expected)


def test_print_centre_whole_day_slips_with_progress(qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]) -> None:
    day_id = demo_day(app_ctx)
    handed_over = print_data.day_cases(app_ctx.db, day_id)
    page = _centre(qtbot, app_ctx, widgets)
    assert page.doc_counts["day_slips"].text() == f"{len(handed_over)} 件"

    seen: list[tuple[bool, bool, bool]] = []  # busy, a progress dialog, the button enabled

    def busy_changed(busy: bool) -> None:
        button = page.doc_buttons["day_slips"]
        seen.append((busy, page.printer.progress_dialog is not None, button.isEnabled()))

    page.printer.busy_changed.connect(busy_changed)
    qtbot.mouseClick(page.doc_buttons["day_slips"], Qt.MouseButton.LeftButton)
    preview = wait_preview(qtbot, page.printer)
    widgets.append(preview)
    # a batch: a progress dialog (with cancel) while it builds, and the buttons off
    assert seen[0] == (True, True, False) and seen[-1][0] is False
    assert page.printer.last_progress == (len(handed_over), len(handed_over))
    assert page.printer.progress_dialog is None and page.doc_buttons["day_slips"].isEnabled()
    assert preview.page_count() >= len(handed_over)
    text = pdf_text(preview.pdf_bytes())
    assert {c.case_no for c in handed_over} <= set(CASE_NO.findall(text))
    assert not FULL_ID.search(text)


def test_cancelling_the_whole_day_slips_opens_nothing(qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]) -> None:
    demo_day(app_ctx)
    page = _centre(qtbot, app_ctx, widgets)
    states: list[bool] = []

    def cancel_at_once(busy: bool) -> None:
        states.append(busy)
        dialog = page.printer.progress_dialog
        if busy and dialog is not None:
            button = dialog.findChild(QPushButton)
            assert button is not None and button.text() == "取消"
            button.click()  # the user presses 取消 before the first slip is drawn

    page.printer.busy_changed.connect(cancel_at_once)
    qtbot.mouseClick(page.doc_buttons["day_slips"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: states == [True, False], timeout=WAIT)
    assert page.printer.last_preview is None and page.findChild(PdfPreviewDialog) is None
    assert page.findChild(QMessageBox) is None  # a cancel is no error
    assert page.doc_buttons["day_slips"].isEnabled()


def test_print_centre_day_documents_open_in_the_preview(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]
) -> None:
    demo_day(app_ctx)
    page = _centre(qtbot, app_ctx, widgets)
    expected = {"registration_list": "预登记名单", "day_summary": "当日接访情况汇总", "schedules": "接待安排表"}
    previous = None
    for key, words in expected.items():
        qtbot.mouseClick(page.doc_buttons[key], Qt.MouseButton.LeftButton)
        preview = wait_preview(qtbot, page.printer, previous)
        widgets.append(preview)
        assert words in pdf_text(preview.pdf_bytes()), key
        preview.reject()
        previous = preview


def test_print_centre_saves_one_pdf_per_department(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_day(app_ctx)
    page = _centre(qtbot, app_ctx, widgets)
    names = ["人力资源和社会保障局", "教育局"]
    page.select_departments({r.department_id for r in page.department_model.rows if r.name in names})
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: str(tmp_path))
    qtbot.mouseClick(page.save_bundles_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "bundlesSaved") is not None, timeout=WAIT)
    files = sorted(tmp_path.glob("交办清单-*.pdf"))
    assert len(files) == 2
    for name in names:
        found = [f for f in files if name in f.name]
        assert len(found) == 1 and name in pdf_text(found[0].read_bytes())
