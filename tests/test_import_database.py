"""Importing pre-registration files into a day, on SQLite and PostgreSQL: rows, verdicts, duplicates, rollback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, BatchMember, Theme, Visitor
from reception_desk.domain import resident_id
from reception_desk.errors import NotFoundError, UnusableInputError
from reception_desk.privacy import fields
from reception_desk.services import days
from reception_desk.services.importing import ImportReport, Outcome, import_registrations, preview_import
from reception_desk.services.importing import importer as importer_module
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration

DAY = dt.date(2026, 12, 4)
VALID = resident_id.make("330803", dt.date(1970, 1, 1), 123)  # ends in X
LOWER_X_ID = resident_id.make("330803", dt.date(1962, 5, 17), 6)  # ends in X, written with a lower-case x
BAD_CHECKSUM = VALID[:-1] + "1"
BAD_DATE = "330803197002301234"  # 30 February
VALID_2 = resident_id.make("330803", dt.date(1985, 6, 30), 456)
VALID_3 = resident_id.make("330802", dt.date(1990, 3, 8), 11)

HEADER = [
    "序号",
    "来访人姓名",
    "身份证号码",
    "联系电话",
    "来访人数",
    "所属乡镇（街道）",
    "村（社区）",
    "问题类别",
    "反映问题及\n诉求",
    "同行人员",
    "备注",
]

# Excel row → what the row holds and what the import must make of it.
TRAP_ROWS: dict[int, list[Any]] = {
    4: [
        1,
        " 王 学德 ",
        VALID,
        "１３８ ０５７０ １２３４",
        "5人",
        " 湖南镇 ",
        "破石村",
        "劳动社保",
        "拖欠工资三个月",
        "张三、李四",
    ],
    5: [
        2,
        "𠮷田",
        float(VALID_2),
        "0570-8881234",
        2,
        "莲花镇",
        "",
        "环保",
        "村旁养殖场污染严重",
        "",
        "身份证存成了数字",
    ],
    7: [3, "阿依古丽·买买提", BAD_CHECKSUM, "13905701234", "五人", "樟潭街道", "", "拆迁", "征地补偿款未到位", "䶮"],
    8: [4, "李秀英", LOWER_X_ID.lower(), "", " 3 ", "", "", "", "反映征地补偿款至今未到位", ""],
    9: [5, "赵六", BAD_DATE, "13705701234", 1, "云溪乡", "", "涉法涉诉", "法院判决后迟迟未执行", ""],
    10: [6, "", "", "", "", "", "", "", "修路", ""],
    11: [7, "钱七", "", "", "", "", "", "交通", "", ""],
    12: [8, "孙八", "", "13605701234", "1人", "", "", "劳动社保", "拖欠工资", "张三、李四、王五"],
    13: [9, "周九", VALID, "", 1, "", "", "", "反映道路破损", ""],
}
IMPORTED_ROWS = [4, 5, 7, 8, 9, 12]
WARNING_ROWS = [5, 7, 9, 12]
REJECTED = [(10, "缺少姓名"), (11, "缺少诉求")]


def make_trap_workbook(path: Path) -> Path:
    """The pre-registration workbook with every trap the import must handle."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "预登记名单"
    ws.append(["2026年12月4日区领导下访接访日预登记名单"])
    ws.merge_cells("A1:K1")
    ws.append(["填报单位：区信访局", None, None, None, None, None, "填报日期：2026年11月30日"])
    ws.merge_cells("A2:F2")
    ws.append(HEADER)
    for number in range(4, 14):
        ws.append(TRAP_ROWS.get(number, []))  # rows 6 stays blank
    ws.append([])  # 14
    ws.append(["合计", "", "", "", 16])  # 15
    ws.append([])  # 16
    wb.save(path)
    return path


def make_day(db: Database, date: dt.date = DAY) -> int:
    info, _ = days.create_day(db, date)
    return info.id


def count(db: Database, model: type[Any], *where: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def assert_trap_verdicts(report: ImportReport) -> None:
    assert report.imported == len(IMPORTED_ROWS)
    assert report.people == 5 + 2 + 5 + 3 + 1 + 4
    assert [(v.row, v.reason) for v in report.rejected] == REJECTED
    assert [v.row for v in report.warnings] == WARNING_ROWS
    assert [v.row for v in report.duplicates] == [13]
    assert "第4行" in report.duplicates[0].reason
    assert report.skipped == 1
    assert [r.row for r in report.rows] == [4, 5, 7, 8, 9, 10, 11, 12, 13]
    by_row = {v.row: v.reason for v in report.warnings}
    assert "后几位已丢失" in by_row[5]
    assert "校验位" in by_row[7]
    assert "出生日期" in by_row[9]
    assert "按4人计" in by_row[12]
    outcomes = {r.row: r.outcome for r in report.rows}
    assert outcomes[4] is Outcome.IMPORTED and outcomes[8] is Outcome.IMPORTED


def test_import_trap_workbook(db: Database, tmp_path: Path) -> None:
    day_id = make_day(db)
    path = make_trap_workbook(tmp_path / "名单.xlsx")
    calls: list[tuple[int, int]] = []
    report = import_registrations(db, path, day_id, actor="张科员", progress=lambda d, t: calls.append((d, t)))
    assert_trap_verdicts(report)
    assert calls == [(6, 6)]
    json = report.to_json()
    assert json["imported"] == 6 and json["people"] == 20
    assert json["rejected"] == [{"row": 10, "reason": "缺少姓名"}, {"row": 11, "reason": "缺少诉求"}]
    assert [w["row"] for w in json["warnings"]] == WARNING_ROWS
    assert [d["row"] for d in json["duplicates"]] == [13]

    with db.read() as session:
        batches = session.execute(
            select(Batch, Visitor, Theme.code)
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .join(Theme, Theme.id == Batch.theme_id)
            .where(Batch.day_id == day_id)
            .order_by(Batch.reg_no)
        ).all()
        got = {int(b.import_source.rsplit(":", 1)[1]): (b, v, code) for b, v, code in batches}
        assert [b.reg_no for b, _, _ in batches] == ["Y0001", "Y0002", "Y0003", "Y0004", "Y0005", "Y0006"]
        assert sorted(got) == IMPORTED_ROWS
        assert all(b.import_source.startswith("名单.xlsx:") for b, _, _ in batches)
        assert report.changes.batches == {b.id for b, _, _ in batches}

        b, v, code = got[4]
        assert (v.name, v.id_number, v.id_valid, v.phone) == ("王学德", VALID, True, "13805701234")
        assert (b.headcount, code, b.township, b.village, b.flags) == (5, "labour", "湖南镇", "破石村", [])
        assert b.category_text == "劳动社保" and b.request == "拖欠工资三个月" and b.source == "pre"
        members = session.execute(
            select(BatchMember.position, BatchMember.is_lead, Visitor.name)
            .join(Visitor, Visitor.id == BatchMember.visitor_id)
            .where(BatchMember.batch_id == b.id)
            .order_by(BatchMember.position)
        ).all()
        assert [tuple(m) for m in members] == [(0, True, "王学德"), (1, False, "张三"), (2, False, "李四")]
        assert v.name_initials == "wxd"

        b, v, code = got[5]
        assert (v.name, v.id_number, v.phone, code, b.flags) == (
            "𠮷田",
            None,
            "05708881234",
            "safety_env",
            ["id_to_check"],
        )

        b, v, code = got[7]
        assert (v.name, v.id_number, v.id_valid, code) == ("阿依古丽·买买提", BAD_CHECKSUM, False, "land")
        assert (b.headcount, b.flags) == (5, ["id_to_check"])
        companion = session.scalar(
            select(Visitor.name)
            .join(BatchMember, BatchMember.visitor_id == Visitor.id)
            .where(BatchMember.batch_id == b.id, BatchMember.is_lead.is_(False))
        )
        assert companion == "䶮"

        b, v, code = got[8]
        assert (v.id_number, v.id_valid, code, b.flags, b.headcount) == (
            LOWER_X_ID,
            True,
            "land",
            ["theme_inferred"],
            3,
        )

        b, v, code = got[9]
        assert (v.id_number, v.id_valid, code, b.flags) == (BAD_DATE, False, "law", ["id_to_check"])

        b, v, code = got[12]
        assert (b.headcount, code) == (4, "labour")

        names = set(session.scalars(select(Visitor.name)))
        assert {"𠮷田", "阿依古丽·买买提", "䶮"} <= names
        audits = session.execute(
            select(AuditEntry.actor, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.after).where(
                AuditEntry.action == "import"
            )
        ).all()
        assert len(audits) == 6
        assert {a.entity_id for a in audits} == report.changes.batches
        assert all(a.actor == "张科员" and a.entity == "batch" for a in audits)
        assert {a.after["reg_no"] for a in audits} == {"Y0001", "Y0002", "Y0003", "Y0004", "Y0005", "Y0006"}
    assert count(db, Visitor) == 6 + 2 + 1 + 3  # leads + companions of rows 4, 7, 12
    assert count(db, BatchMember) == 12


def test_second_import_of_the_same_file_imports_nothing(db: Database, tmp_path: Path) -> None:
    day_id = make_day(db)
    path = make_trap_workbook(tmp_path / "名单.xlsx")
    import_registrations(db, path, day_id)
    visitors = count(db, Visitor)
    again = import_registrations(db, path, day_id)
    assert again.imported == 0 and again.people == 0
    assert [v.row for v in again.duplicates] == [4, 5, 7, 8, 9, 12, 13]
    assert [v.row for v in again.rejected] == [10, 11]
    assert again.warnings == [] and not again.changes
    assert count(db, Batch) == 6 and count(db, Visitor) == visitors


def test_preview_writes_nothing_and_agrees_with_the_import(db: Database, tmp_path: Path) -> None:
    day_id = make_day(db)
    path = make_trap_workbook(tmp_path / "名单.xlsx")
    preview = preview_import(db, path, day_id)
    assert_trap_verdicts(preview)
    assert count(db, Batch) == 0 and count(db, Visitor) == 0 and not preview.changes
    report = import_registrations(db, path, day_id)
    assert report.to_json() == preview.to_json()


def test_a_failure_after_the_first_chunk_rolls_everything_back(db: Database, tmp_path: Path) -> None:
    day_id = make_day(db)
    path = make_trap_workbook(tmp_path / "名单.xlsx")

    def fail(done: int, total: int) -> None:
        # called inside the transaction, after the chunk's visitors, batches, members and audit rows
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        import_registrations(db, path, day_id, progress=fail)
    assert count(db, Batch) == 0
    assert count(db, Visitor) == 0
    assert count(db, BatchMember) == 0
    assert count(db, AuditEntry, AuditEntry.action == "import") == 0


def test_a_failure_between_inserts_rolls_everything_back(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day_id = make_day(db)
    path = make_trap_workbook(tmp_path / "名单.xlsx")
    real = importer_module.insert_returning_ids
    seen: list[str] = []

    def visitors_then_fail(conn: Any, target: Any, rows: list[dict[str, Any]]) -> list[int]:
        seen.append(target.name)
        if target.name == "batch":
            raise RuntimeError("disk full")
        return real(conn, target, rows)

    monkeypatch.setattr(importer_module, "insert_returning_ids", visitors_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_registrations(db, path, day_id)
    assert seen == ["visitor", "batch"]  # the visitors were written before the failure
    assert count(db, Visitor) == 0 and count(db, Batch) == 0


def test_existing_people_are_reused_and_day_duplicates_found(db: Database, tmp_path: Path) -> None:
    earlier = make_day(db, dt.date(2026, 6, 5))
    day_id = make_day(db)
    # a past visit of 王学德 (by ID) and of 张三 (no ID, by name and phone)
    add_registration(db, earlier, RegistrationInput(PersonInput("王学德", VALID, "13805701234"), "拖欠工资"))
    add_registration(db, earlier, RegistrationInput(PersonInput("张三", "", "13905701111"), "修路"))
    # today already: 李四 with 赵六 (an ID) as companion
    add_registration(
        db,
        day_id,
        RegistrationInput(PersonInput("李四", "", ""), "修桥", companions=[PersonInput("赵六", VALID_3, "")]),
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "电话", "乡镇", "诉求", "类别"])
    ws.append(["王学德", VALID, "13805709999", "湖南镇", "拖欠工资仍未解决", "劳动社保"])  # 2: reuse by ID
    ws.append(["张三", "", "139 0570 1111", "", "道路仍未修好", "交通"])  # 3: reuse by name + phone
    ws.append(["赵六", VALID_3, "", "", "另一件事", "综合"])  # 4: already here today as a companion
    ws.append(["李四", "", "", "", "修桥", "交通"])  # 5: same name, phone, request as today's batch
    ws.append(["王五", VALID_2, "", "", "反映问题", "综合"])  # 6: new person
    path = tmp_path / "续报.xlsx"
    wb.save(path)

    visitors_before = count(db, Visitor)
    report = import_registrations(db, path, day_id)
    assert report.imported == 3
    assert [v.row for v in report.duplicates] == [4, 5]
    assert count(db, Visitor) == visitors_before + 1  # only 王五 is new
    with db.read() as session:
        wang = session.scalar(select(Visitor).where(Visitor.id_hash == fields.id_hash(VALID)))
        assert wang is not None and wang.phone == "13805709999" and wang.township == "湖南镇"
        assert len(session.scalars(select(Batch.id).where(Batch.lead_visitor_id == wang.id)).all()) == 2
        zhang = session.scalars(select(Visitor.id).where(Visitor.name == "张三")).all()
        assert len(zhang) == 1
        reg_nos = session.scalars(select(Batch.reg_no).where(Batch.day_id == day_id).order_by(Batch.reg_no)).all()
        assert reg_nos == ["Y0001", "Y0002", "Y0003", "Y0004"]  # continues after the batch added by hand
    assert report.changes.visitors >= {wang.id, zhang[0]}


def test_id_of_another_name_is_imported_with_a_warning(db: Database, tmp_path: Path) -> None:
    earlier = make_day(db, dt.date(2026, 6, 5))
    day_id = make_day(db)
    add_registration(db, earlier, RegistrationInput(PersonInput("王学德", VALID, "13805701234"), "拖欠工资"))
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号", "电话", "诉求", "类别"])
    wb.active.append(["王雪德", VALID, "13600000000", "拖欠工资", "劳动社保"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    report = import_registrations(db, path, day_id)
    assert report.imported == 1 and "王学德" in report.warnings[0].reason
    with db.read() as session:
        wang = session.scalar(select(Visitor).where(Visitor.id_hash == fields.id_hash(VALID)))
        assert wang is not None and wang.phone == "13805701234"  # another name: their details stay
        flags = session.scalar(select(Batch.flags).where(Batch.day_id == day_id))
        assert flags == ["id_to_check"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_import(db: Database, tmp_path: Path, encoding: str) -> None:
    day_id = make_day(db)
    text = (
        "序号,姓名,身份证号,联系电话,来访人数,问题类别,反映问题及诉求,同行人员\n"
        f"1,𠮷田,{VALID},13805701234,3人,环保,养殖场污染,阿依古丽·买买提、䶮\n"
        "2,李四,3.30803197001011E+17,,1,,拖欠工资,\n"
    )
    path = tmp_path / "名单.csv"
    path.write_bytes(text.encode(encoding))
    report = import_registrations(db, path, day_id)
    assert report.imported == 2 and [v.row for v in report.warnings] == [3]
    with db.read() as session:
        names = session.execute(select(Visitor.name, Visitor.id_number).order_by(Visitor.id)).all()
        assert [tuple(n) for n in names] == [("𠮷田", VALID), ("阿依古丽·买买提", None), ("䶮", None), ("李四", None)]


def test_progress_per_chunk_and_people_shared_across_chunks(db: Database, tmp_path: Path) -> None:
    day_id = make_day(db)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["姓名", "联系电话", "反映问题及诉求", "问题类别", "同行人员"])
    for i in range(1, 1201):
        if i in (1, 700):
            ws.append(["张三", "13805701234", f"第{i}件事", "综合", ""])
        else:
            ws.append([f"来访人{i}", "", f"反映问题{i}", "综合", "同行甲" if i % 2 else ""])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    calls: list[tuple[int, int]] = []
    report = import_registrations(db, path, day_id, progress=lambda d, t: calls.append((d, t)))
    assert report.imported == 1200
    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]
    assert count(db, Visitor, Visitor.name == "张三") == 1
    assert count(db, Visitor) == 1199 + 599  # rows 3, 5, ... 1199 name a companion (row 1 is 张三)
    assert count(db, BatchMember) == 1200 + 599
    with db.read() as session:
        last = session.scalar(select(func.max(Batch.reg_no)).where(Batch.day_id == day_id))
        assert last == "Y1200"


def test_unknown_day_and_unusable_file(db: Database, tmp_path: Path) -> None:
    path = make_trap_workbook(tmp_path / "名单.xlsx")
    with pytest.raises(NotFoundError):
        import_registrations(db, path, 999)
    with pytest.raises(NotFoundError):
        preview_import(db, path, 999)
    day_id = make_day(db)
    broken = tmp_path / "坏.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(UnusableInputError):
        import_registrations(db, broken, day_id)
    with pytest.raises(UnusableInputError):
        preview_import(db, tmp_path / "缺失.xlsx", day_id)
    assert count(db, Batch) == 0
