"""Search as you type on both databases: every kind of query, filters, companions, and edits kept in step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import update

from reception_desk.db.engine import Database
from reception_desk.db.migrate import alembic_config, upgrade_to_head
from reception_desk.db.models import Base, Batch, Visitor
from reception_desk.domain import resident_id
from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.errors import StaleWriteError
from reception_desk.services import days
from reception_desk.services.registration_edit import load_registration, update_registration
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.services.search import (
    SearchFilters,
    TermKind,
    listed_batches,
    parse_query,
    registration_rows,
    search,
    search_batches,
)
from tests.helpers import old_visitor

DAY = dt.date(2026, 12, 4)
WXD_ID = resident_id.make("330803", dt.date(1958, 3, 12), 21)
X_ID = next(n for n in (resident_id.make("330803", dt.date(1966, 7, 1), s) for s in range(1000)) if n.endswith("X"))
ZHAO_ID = resident_id.make("330822", dt.date(1975, 10, 2), 318)
BAD_ID = WXD_ID[:-1] + ("1" if WXD_ID[-1] != "1" else "2")


@pytest.fixture
def day(db: Database) -> dict[str, int]:
    """A day with six batches; returns their ids by a short key (Y0001 … Y0006 in this order)."""
    info, _ = days.create_day(db, DAY)

    def add(key: str, data: RegistrationInput) -> tuple[str, int]:
        return key, add_registration(db, info.id, data)[0]

    ids = dict(
        [
            add(
                "wxd",
                RegistrationInput(
                    PersonInput("王学德", WXD_ID, "13805701234"),
                    "反映征地补偿款未到位",
                    theme_code="land",
                    township="湖南镇",
                ),
            ),
            add(
                "li",
                RegistrationInput(
                    PersonInput("李秀英", X_ID, "0570-3023456"),
                    "反映拖欠工资",
                    theme_code="labour",
                    companions=[PersonInput("赵六", ZHAO_ID, "13905709876"), PersonInput("王小明")],
                    township="樟潭街道",
                ),
            ),
            add(
                "group",
                RegistrationInput(
                    PersonInput("张建国", "", "13605705555"),
                    "反映村道破损",
                    theme_code="transport",
                    headcount=6,
                    township="湖南镇",
                ),
            ),
            add(
                "bad_id",
                RegistrationInput(PersonInput("刘桂兰", BAD_ID), "反映养殖场污染", theme_code="safety_env"),
            ),
            add(
                "again",
                RegistrationInput(PersonInput("王学德", WXD_ID), "再次反映征地补偿", theme_code="land"),
            ),
            add(
                "ouyang",
                RegistrationInput(
                    PersonInput("欧阳明", "", "15857001234"), "反映孩子入学困难", theme_code="edu_health"
                ),
            ),
        ]
    )
    ids["day"] = info.id
    return ids


def ids_for(db: Database, day: dict[str, int], query: str, filters: SearchFilters | None = None) -> list[str]:
    """The keys of the batches a query finds, in list order."""
    by_id = {v: k for k, v in day.items() if k != "day"}
    return [by_id[i] for i in search_batches(db, day["day"], query, filters)]


def test_query_words_are_classified() -> None:
    kinds = {t.text: t.kinds for t in parse_query("王学 WXD 1380 0571 123x y12 Y0012 7 13805701234 ｗｘ")}
    assert kinds["王学"] == (TermKind.NAME,)
    assert kinds["wxd"] == (TermKind.INITIALS,)
    assert kinds["1380"] == (TermKind.ID_TAIL, TermKind.PHONE)
    assert kinds["123X"] == (TermKind.ID_TAIL,)
    assert kinds["Y0012"] == (TermKind.REG_NO,)
    assert kinds["7"] == (TermKind.REG_NO,)
    assert kinds["13805701234"] == (TermKind.PHONE,)
    assert kinds["wx"] == (TermKind.INITIALS,)  # full-width letters folded


def test_empty_query_lists_the_whole_day_in_number_order(db: Database, day: dict[str, int]) -> None:
    assert ids_for(db, day, "") == ["wxd", "li", "group", "bad_id", "again", "ouyang"]
    result = search(db, day["day"], "   ")
    assert result.people == 1 + 3 + 6 + 1 + 1 + 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("王", ["wxd", "li", "again"]),  # 王小明 is a companion of 李秀英
        ("王学", ["wxd", "again"]),
        ("王学德", ["wxd", "again"]),
        ("学德", ["wxd", "again"]),  # a fragment in the middle of the name
        ("欧阳", ["ouyang"]),
        ("欧阳明", ["ouyang"]),
        ("阳明", ["ouyang"]),
        ("赵六", ["li"]),  # a companion
        ("张三丰", []),
    ],
)
def test_name_fragments(db: Database, day: dict[str, int], query: str, expected: list[str]) -> None:
    assert ids_for(db, day, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("w", ["wxd", "li", "again"]),
        ("wx", ["wxd", "li", "again"]),  # 王学德, 王小明
        ("wxd", ["wxd", "again"]),
        ("WXD", ["wxd", "again"]),
        ("zl", ["li"]),  # the companion 赵六
        ("oym", ["ouyang"]),
        ("wxdz", []),
    ],
)
def test_pinyin_initials_prefix(db: Database, day: dict[str, int], query: str, expected: list[str]) -> None:
    assert ids_for(db, day, query) == expected


def test_phones_by_last_four_or_whole_number(db: Database, day: dict[str, int]) -> None:
    # phones are stored encrypted: the last four digits and the whole number (keyed hash) find a person
    assert ids_for(db, day, "9876") == ["li"]  # the companion's phone
    assert ids_for(db, day, "5555") == ["group"]
    assert ids_for(db, day, "13805701234") == ["wxd", "again"]  # the same person (by ID) registered twice
    assert ids_for(db, day, "05703023456") == ["li"]  # a landline, with its area code
    # other fragments are not searchable: nothing is decrypted to search
    assert ids_for(db, day, "138") == []
    assert ids_for(db, day, "15857") == []


def test_last_four_of_the_resident_id(db: Database, day: dict[str, int]) -> None:
    assert ids_for(db, day, WXD_ID[-4:]) == ["wxd", "again"]
    assert ids_for(db, day, ZHAO_ID[-4:]) == ["li"]  # companion
    assert X_ID.endswith("X")
    assert ids_for(db, day, X_ID[-4:].lower()) == ["li"]  # ending in x, typed lower case
    assert ids_for(db, day, BAD_ID[-4:]) == ["bad_id"]
    assert ids_for(db, day, WXD_ID) == ["wxd", "again"]  # the whole number


def test_registration_numbers(db: Database, day: dict[str, int]) -> None:
    assert ids_for(db, day, "Y0003") == ["group"]
    assert ids_for(db, day, "y3") == ["group"]
    assert ids_for(db, day, "3") == ["group"]
    assert ids_for(db, day, "X0003") == []
    assert ids_for(db, day, "Y0099") == []


def test_words_must_all_match(db: Database, day: dict[str, int]) -> None:
    assert ids_for(db, day, "王 zl") == ["li"]  # 王小明 and 赵六 are both in 李秀英's batch
    assert ids_for(db, day, "wxd 1234 y1") == ["wxd"]  # initials, the phone's last four, the number


def test_filters(db: Database, day: dict[str, int]) -> None:
    assert ids_for(db, day, "", SearchFilters(theme_code="land")) == ["wxd", "again"]
    assert ids_for(db, day, "", SearchFilters(township="湖南镇")) == ["wxd", "group"]
    assert ids_for(db, day, "", SearchFilters(flags=frozenset({Flag.COLLECTIVE.value}))) == ["group"]
    assert ids_for(db, day, "", SearchFilters(flags=frozenset({Flag.ID_TO_CHECK.value}))) == ["bad_id"]
    assert ids_for(db, day, "", SearchFilters(flags=frozenset({Flag.DUPLICATE.value}))) == ["again"]
    assert ids_for(db, day, "王", SearchFilters(theme_code="labour")) == ["li"]
    with db.session() as session:
        session.execute(update(Batch).where(Batch.id == day["li"]).values(status=BatchStatus.ARRIVED.value))
    assert ids_for(db, day, "", SearchFilters(status=BatchStatus.ARRIVED.value)) == ["li"]
    assert ids_for(db, day, "", SearchFilters(theme_code="no-such-theme")) == []


def test_another_day_is_not_searched(db: Database, day: dict[str, int]) -> None:
    other, _ = days.create_day(db, DAY + dt.timedelta(days=7))
    add_registration(db, other.id, RegistrationInput(PersonInput("王学德", WXD_ID), "下一次接访日"))
    assert ids_for(db, day, "wxd") == ["wxd", "again"]
    assert len(search_batches(db, other.id, "wxd")) == 1


def test_rows_for_the_visible_ids_keep_their_order(db: Database, day: dict[str, int]) -> None:
    rows = registration_rows(db, [day["group"], 999_999, day["wxd"]])
    assert [r.reg_no for r in rows] == ["Y0003", "Y0001"]
    assert rows[0].flags == (Flag.COLLECTIVE.value,)
    assert rows[1].id_masked == resident_id.mask(WXD_ID)
    listed = listed_batches(db, [day["li"]])
    assert listed[0].companions == ("赵六", "王小明")


def test_an_edit_is_found_under_the_new_name_only(db: Database, day: dict[str, int]) -> None:
    editable = load_registration(db, day["ouyang"])
    data = editable.data
    data.lead.name = "欧阳明亮"
    data.lead.phone = "13712345678"
    data.companions = [PersonInput("司马光")]
    update_registration(db, day["ouyang"], data, "测试员", editable.version, editable.visitor_versions)
    assert ids_for(db, day, "明亮") == ["ouyang"]
    assert ids_for(db, day, "oymldd") == []
    assert ids_for(db, day, "oyml") == ["ouyang"]
    assert ids_for(db, day, "5678") == ["ouyang"]  # the new phone's last four
    assert ids_for(db, day, "13712345678") == ["ouyang"]
    assert ids_for(db, day, "15857001234") == []  # the old phone is found no more
    assert "ouyang" not in ids_for(db, day, "1234")  # (王学德's phone ends in 1234 too)
    assert ids_for(db, day, "司马") == ["ouyang"]
    with db.read() as session:
        assert session.get_one(Visitor, session.get_one(Batch, day["ouyang"]).lead_visitor_id).name == "欧阳明亮"


def test_edit_checks_the_version_and_flags(db: Database, day: dict[str, int]) -> None:
    editable = load_registration(db, day["bad_id"])
    assert editable.data.lead.id_number == BAD_ID
    data = editable.data
    data.lead.id_number = resident_id.make("330803", dt.date(1960, 2, 2), 33)  # the card, read again
    data.headcount = 5
    data.theme_code = "agriculture"
    changes = update_registration(db, day["bad_id"], data, "测试员", editable.version, editable.visitor_versions)
    assert day["bad_id"] in changes.batches
    row = registration_rows(db, [day["bad_id"]])[0]
    assert row.flags == (Flag.COLLECTIVE.value,)  # 待核 cleared: the ID is valid now
    assert row.theme_code == "agriculture"
    assert row.version == editable.version + 1
    with pytest.raises(StaleWriteError):
        update_registration(db, day["bad_id"], data, "测试员", editable.version, editable.visitor_versions)


def test_upgrading_a_filled_sqlite_file_indexes_the_people_already_there(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = alembic_config(db.engine)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    # today's services read tables of later steps (app_setting for the role check, number_counter for the
    # numbers): the old file holds them only while today's services fill it, as the old code worked without them
    later = [t for t in Base.metadata.sorted_tables if not sa.inspect(db.engine).has_table(t.name)]
    Base.metadata.create_all(db.engine, tables=later)
    info, _ = days.create_day(db, DAY)
    with db.engine.begin() as conn:  # the person and the batch as the old code wrote them (clear ID and phone)
        theme = conn.execute(sa.text("SELECT id FROM theme WHERE code = 'labour'")).scalar_one()
        visitor_id = old_visitor(conn, "欧阳明", WXD_ID, "15857001234")
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO batch (day_id, reg_no, lead_visitor_id, headcount, theme_id, request, category_text, "
                "township, village, source, status, placed_by_hand, flags, note, import_source, registered_at) "
                "VALUES (:day, 'Y0001', :v, 1, :theme, '反映问题', '', '', '', 'pre', 'registered', 0, '[]', '', '', "
                ":at) RETURNING id"
            ),
            {"day": info.id, "v": visitor_id, "theme": theme, "at": dt.datetime(2026, 12, 1)},
        ).scalar_one()
        conn.execute(
            sa.text("INSERT INTO batch_member (batch_id, visitor_id, position, is_lead) VALUES (:b, :v, 0, 1)"),
            {"b": batch_id, "v": visitor_id},
        )
    Base.metadata.drop_all(db.engine, tables=later)
    upgrade_to_head(db.engine)
    assert search_batches(db, info.id, "阳") == [batch_id]  # 0008 rebuilt the name index
    assert search_batches(db, info.id, "1234") == [batch_id]  # the phone's last four
    assert search_batches(db, info.id, "15857001234") == [batch_id]  # the whole phone (keyed hash)
    assert search_batches(db, info.id, "8570") == []  # other fragments: no more
    assert search_batches(db, info.id, WXD_ID[-4:]) == [batch_id]
    assert search_batches(db, info.id, WXD_ID) == [batch_id]
    db.dispose()
