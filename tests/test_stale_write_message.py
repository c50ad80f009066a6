"""The stale-write refusal names what was changed in Chinese (never a table name such as "room")."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Base, Department, Room
from reception_desk.errors import StaleWriteError
from reception_desk.services import plan
from tests.helpers import make_day


def _no_latin_word(message: str) -> None:
    assert not re.search(r"[A-Za-z_]{2,}", message), message


def _change_meanwhile(db: Database, kind: str) -> Room | Department:
    """A row read now, then changed by somebody else: the read copy is stale."""
    with db.read() as s:
        if kind == "room":
            room = s.scalars(select(Room).limit(1)).one()
            plan.update_room(db, room.id, room.version, host="区长 王强")
            return room
        dept = s.scalars(select(Department).limit(1)).one()
        plan.update_department(db, dept.id, dept.version, phone="0570-1111111")
        return dept


@pytest.mark.parametrize(("kind", "word"), [("room", "接待室"), ("department", "单位")])
def test_a_row_changed_meanwhile_is_named_in_chinese(db: Database, kind: str, word: str) -> None:
    make_day(db)
    row = _change_meanwhile(db, kind)
    with pytest.raises(StaleWriteError) as caught, db.session() as s:
        stale = s.merge(row, load=False)
        if isinstance(stale, Room):
            stale.capacity = 9
        else:
            stale.phone = "0570-2222222"
    message = str(caught.value)
    assert f"该{word}" in message and "已被他人修改" in message
    _no_latin_word(message)


def test_every_table_has_a_chinese_name() -> None:
    for table in Base.metadata.tables:
        message = str(StaleWriteError(table))
        _no_latin_word(message)
    assert "该信访事项" in str(StaleWriteError("petition_case"))
    assert "该批次（#7）" in str(StaleWriteError("batch", 7, 1, 2))
    assert "该批次" in str(StaleWriteError("批次", 3)) and "#3" in str(StaleWriteError("批次", 3))
    unknown = str(StaleWriteError("记录"))
    assert unknown.startswith("该记录已被他人修改")
