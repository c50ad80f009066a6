"""排队号 queue tickets: the data (print_data.queue_ticket) and the 80 mm PDF, by its extracted text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch
from reception_desk.domain import resident_id
from reception_desk.printing.common import local_time
from reception_desk.printing.queue_ticket import TICKET_W, WAIT_NOTE, QueueTicketRenderer, room_line
from reception_desk.services import assignment, days, flow, print_data
from reception_desk.services.errors import InvalidInputError, NotFoundError
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from tests.test_printing_data import EXT_A_NAME, EXT_B_NAME

DAY = dt.date(2026, 12, 4)
ID_PATTERN = re.compile(r"\d{17}[\dXx]")
NO_GLYPH = "\U00030000"  # CJK Extension G: no shipped font has it


def _register(
    db: Database, day_id: int, name: str, id_number: str, theme: str = "transport", headcount: int = 1
) -> int:
    data = RegistrationInput(
        lead=PersonInput(name, id_number=id_number, phone="13857001234"),
        request=f"{name}反映村道破损，要求修复。",
        theme_code=theme,
        headcount=headcount,
        township="湖南镇",
        village="破石村",
    )
    batch_id, _ = add_registration(db, day_id, data)
    return batch_id


def _pdf(tickets: list[print_data.QueueTicket]) -> tuple[bytes, list[str]]:
    out = io.BytesIO()
    QueueTicketRenderer().render(tickets, out)
    data = out.getvalue()
    return data, [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def day_id(db: Database) -> int:
    """A day with the default plan."""
    info, _ = days.create_day(db, DAY, title="衢江区领导下访接访日", venue="衢江区工贸职校", leaders="区委书记 张明")
    return info.id


def test_ticket_data_after_check_in(db: Database, day_id: int) -> None:
    id_number = resident_id.make("330803", dt.date(1965, 3, 8), 311)
    first = _register(db, day_id, "吴建国", resident_id.make("330803", dt.date(1970, 1, 1), 123))
    batch = _register(db, day_id, "王学德", id_number, headcount=3)
    assignment.assign_day(db, day_id)
    with pytest.raises(InvalidInputError, match="尚未签到"):
        print_data.queue_ticket(db, batch)
    flow.check_in(db, first, "登记台")
    flow.check_in(db, batch, "登记台")
    ticket = print_data.queue_ticket(db, batch)
    assert ticket.queue_number == 2 and ticket.reg_no == "Y0002"  # the second in room 8
    assert ticket.ahead == 1  # Y0001 waits before it
    assert ticket.lead_name == "王学德" and ticket.headcount == 3
    assert ticket.id_masked == resident_id.mask(id_number) != id_number
    assert (ticket.room_number, ticket.room_name, ticket.room_location) == (8, "第8接待室", "教学楼1楼 108教室")
    assert ticket.day.title == "衢江区领导下访接访日"
    assert ticket.checked_in_at is not None
    with pytest.raises(NotFoundError):
        print_data.queue_ticket(db, 999_999)


def test_ticket_pdf_prints_every_field_and_never_the_full_id(db: Database, day_id: int) -> None:
    id_number = resident_id.make("330803", dt.date(1965, 3, 8), 311)
    batch = _register(db, day_id, "王学德", id_number, headcount=3)
    assignment.assign_day(db, day_id)
    flow.check_in(db, batch, "登记台")
    ticket = print_data.queue_ticket(db, batch)
    data, pages = _pdf([ticket])
    assert len(pages) == 1
    text = pages[0]
    assert "衢江区领导下访接访日" in text
    assert "排队号1第8接待室1号前面没有等候的批次请到教学楼1楼108教室" in text  # the number, the room, where
    assert "登记号：Y0001" in text
    assert "来访人：王学德（共3人）" in text
    assert f"身份证号：{resident_id.mask(id_number)}" in text
    assert "签到时间：" + re.sub(r"\s+", "", local_time(ticket.checked_in_at)) in text
    shanghai = ticket.checked_in_at + dt.timedelta(hours=8)  # the office's zone, whatever this machine's is
    assert f"{shanghai:%H:%M}" in text
    assert WAIT_NOTE in text
    assert id_number not in text and not ID_PATTERN.search(text)
    assert not ID_PATTERN.search(data.decode("latin-1"))  # nor anywhere in the file

    page = PdfReader(io.BytesIO(data)).pages[0]
    assert abs(float(page.mediabox.width) - TICKET_W) < 0.1  # 80 mm wide
    assert 60 < float(page.mediabox.height) / 72 * 25.4 < 130  # as tall as its content


def test_several_tickets_one_page_each_and_rare_names(db: Database, day_id: int) -> None:
    ids = [
        _register(db, day_id, name, resident_id.make("330803", dt.date(1960, 1, 1) + dt.timedelta(days=i), i))
        for i, name in enumerate((EXT_B_NAME, EXT_A_NAME))
    ]
    assignment.assign_day(db, day_id)
    for batch in ids:
        flow.check_in(db, batch, "登记台")
    tickets = [print_data.queue_ticket(db, b) for b in ids]
    out = io.BytesIO()
    result = QueueTicketRenderer().render(tickets, out)
    assert (result.pages, result.documents, result.missing_glyphs) == (2, 2, frozenset())
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(out.getvalue())).pages]
    assert EXT_B_NAME in texts[0] and EXT_A_NAME in texts[1]


def test_a_ticket_without_room_and_a_missing_glyph(db: Database, day_id: int) -> None:
    batch = _register(db, day_id, "王学德", resident_id.make("330803", dt.date(1965, 3, 8), 311))
    flow.check_in(db, batch, "登记台")  # no room yet: the batch stands arrived, without a number
    with pytest.raises(InvalidInputError, match="尚未分配接待室"):
        print_data.queue_ticket(db, batch)
    assignment.assign_day(db, day_id)  # placed now: it takes its room's first number
    placed = print_data.queue_ticket(db, batch)
    assert placed.queue_number == 1 and placed.room_number == 8
    ticket = dataclasses.replace(placed, room_number=None, room_name="", room_location="", ahead=None)
    assert room_line(ticket) == "接待室待安排，请在等候区稍候"
    odd = dataclasses.replace(ticket, lead_name=f"王{NO_GLYPH}德")
    out = io.BytesIO()
    result = QueueTicketRenderer().render([odd], out)
    assert result.missing_glyphs == frozenset({NO_GLYPH}) and result.pages == 1  # reported, still made
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text())
    assert "排队号1" in text and "接待室" not in text.replace("请持本票进入接待室", "")


def test_nothing_to_print_still_makes_a_page() -> None:
    out = io.BytesIO()
    result = QueueTicketRenderer().render([], out)
    assert (result.pages, result.documents) == (1, 0)
    assert "没有需要打印的排队号" in PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()


def test_ticket_pdf_says_room_number_and_how_many_wait_ahead(db: Database, day_id: int) -> None:
    ids = [
        _register(db, day_id, f"来访{i}", resident_id.make("330803", dt.date(1960, 1, 1) + dt.timedelta(days=i), i))
        for i in range(3)
    ]
    assignment.assign_day(db, day_id)  # all three to room 8 (transport)
    for batch in ids:
        flow.check_in(db, batch, "登记台")
    _data, pages = _pdf([print_data.queue_ticket(db, ids[2])])
    assert "第8接待室3号" in pages[0] and "前面还有2批" in pages[0]
    with db.read() as session:
        room_id = session.get(Batch, ids[0]).room_id  # type: ignore[union-attr]
    assert room_id is not None
    flow.call_next(db, room_id, "主持人")
    _data, pages = _pdf([print_data.queue_ticket(db, ids[2])])
    assert "第8接待室3号" in pages[0] and "前面还有1批" in pages[0]  # the one in session no longer waits
