"""One spelling of a room everywhere: 第8接待室, short 第8室 (never 8号接待室, 接待室8, 8号室 or R8)."""

from __future__ import annotations

from reception_desk.domain.room_plan import default_rooms
from reception_desk.domain.rooms import room_label, room_label_or, room_short


def test_full_and_short_forms() -> None:
    assert room_label(8) == "第8接待室"
    assert room_short(8) == "第8室"
    assert room_label_or(None, "待分配接待室") == "待分配接待室"
    assert room_label_or(15) == "第15接待室"


def test_default_plan_uses_the_full_form() -> None:
    assert [r.name for r in default_rooms()] == [room_label(n) for n in range(1, 16)]


def test_the_ui_forms_match_the_domain(qapp: object) -> None:
    from reception_desk.ui import room_names

    assert room_names.room_label(8) == room_label(8)
    assert room_names.room_short(8) == room_short(8)
    assert room_names.room_name(8, "第8接待室") == "第8接待室"
    assert room_names.room_name(8, "第8接待室（大会议室）") == "第8接待室（大会议室）"
