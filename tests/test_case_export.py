"""`export cases FILE.xlsx`: every case with its history, IDs and phones masked, formula-looking text kept as text."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reception_desk.db.engine import Database
from reception_desk.domain import phone, resident_id
from reception_desk.services.assignment import assign_day
from reception_desk.services.case_export import HEADER, export_cases
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration, list_registrations
from tests.helpers import DAY, make_day
from tests.test_cli_after_day import Cli

SECOND_DAY = dt.date(2026, 12, 11)
ALICE_REQUEST = '=HYPERLINK("http://x","点我")'  # would be a live link (a formula) if written as typed


def _register(db: Database, day_id: int, people: list[tuple[PersonInput, str]]) -> list[str]:
    for person, request in people:
        add_registration(db, day_id, RegistrationInput(person, request, theme_code="labour"))
    assign_day(db, day_id)
    by_name = {r.name: r.reg_no for r in list_registrations(db, day_id)}
    return [by_name[p.name] for p, _ in people]


def _rows(path: Path) -> list[dict[str, object]]:
    ws = load_workbook(path).active
    assert ws is not None
    values = list(ws.iter_rows(values_only=True))
    assert tuple(values[0]) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in values[1:]]


def test_export_cases_has_the_history_masks_ids_and_keeps_formulas_as_text(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli = Cli(db, capsys)
    alice = PersonInput("赵一", resident_id.make("330803", dt.date(1971, 2, 3), 11), "13805701234")
    bob = PersonInput("钱二", resident_id.make("330803", dt.date(1980, 4, 5), 22), "13905709876")
    a, b = _register(db, make_day(db), [(alice, ALICE_REQUEST), (bob, "路灯不亮")])
    cli.ok("checkin", a, "--at", "2026-12-04 09:00")
    cli.ok("checkin", b, "--at", "2026-12-04 09:01")
    handed = cli.json(
        "case", "record", a, "--outcome", "交办", "--department", "人社局", "--co", "住建局", "--colour", "red",
        "--instruction", "@SUM(A1:A9)", "--at", "2026-12-04 10:00",
    )["case_no"]  # fmt: skip
    on_spot = cli.json(
        "case", "record", b, "--outcome", "当场解决", "--instruction", "当场答复。", "--at", "2026-12-04 10:10"
    )["case_no"]
    today = dt.date(2026, 12, 6)
    cli.ok("case", "sign", handed, "--by", "人社局 张科长", "--at", "2026-12-04 15:00")
    cli.ok("case", "reply", handed, "--text", "已约谈", "--by", "张科长", "--at", "2026-12-05 09:00")
    cli.ok("case", "extend", handed, "--to", "2026-12-31", "--reason", "需审计", "--approved-by", "王局长", today=today)
    cli.ok("case", "supervise", handed, "--reason", "群众反映强烈", "--until", "2026-12-25", today=today)
    cli.ok("case", "reply", handed, "--text", "-1 元差额已补", "--at", "2026-12-20 09:00")
    cli.ok("case", "close", handed, "--resolved", "yes", "--at", "2026-12-21 10:00")
    cli.ok("case", "followup", handed, "--rating", "满意", "--method", "电话", "--at", "2026-12-22 10:00")

    (c,) = _register(db, make_day(db, SECOND_DAY), [(PersonInput("孙三", "", "0570-3012345"), "+86 电话诈骗")])
    cli.ok("checkin", c, "--day", SECOND_DAY.isoformat(), "--at", "2026-12-11 09:00")
    later = cli.json(
        "case", "record", c, "--day", SECOND_DAY.isoformat(), "--outcome", "解释说明", "--at", "2026-12-11 10:00"
    )["case_no"]

    everything = tmp_path / "台账" / "cases.xlsx"
    out = cli.ok("export", "cases", str(everything))
    assert "3" in out and str(everything) in out
    rows = {r["案件编号"]: r for r in _rows(everything)}
    assert list(rows) == [handed, on_spot, later]  # by day, then number

    row = rows[handed]
    assert row["身份证号"] == resident_id.mask(alice.id_number) and row["联系电话"] == phone.mask(alice.phone)
    assert row["反映问题及诉求"] == "'" + ALICE_REQUEST and row["领导批示"] == "'@SUM(A1:A9)"  # quoted: never run
    assert (row["签收人"], row["签收时间"]) == ("人社局 张科长", "2026-12-04 15:00")
    assert row["反馈次数"] == 2 and str(row["最后反馈"]).startswith("'-1 元差额已补")
    assert row["最后反馈时间"] == "2026-12-20 09:00" and row["办结时间"] == "2026-12-21 10:00"
    assert (row["化解"], row["回访结果"], row["回访方式"]) == ("是", "满意", "电话")
    assert row["办理期限"] == "2026-12-31" and row["原办理期限"] and "需审计" in str(row["延期"])
    assert "王局长" in str(row["延期"]) and "群众反映强烈" in str(row["督办"])
    assert row["主办单位"] == "人力资源和社会保障局" and row["协办单位"] == "住房和城乡建设局"
    assert (row["状态"], row["处理结果"], row["颜色分类"]) == ("已办结", "交办", "红色")

    assert rows[on_spot]["化解"] == "是" and rows[on_spot]["签收人"] is None and rows[on_spot]["反馈次数"] == 0
    assert rows[later]["化解"] == "否" and rows[later]["反映问题及诉求"] == "'+86 电话诈骗"
    assert rows[later]["身份证号"] is None and rows[later]["联系电话"] == phone.mask("05703012345")

    # no full ID or phone anywhere, and no formula in the sheet's XML: the text cells are plain strings
    with zipfile.ZipFile(everything) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    for secret in (alice.id_number, bob.id_number, alice.phone, bob.phone):
        assert secret not in xml
    assert "<f>" not in xml and "<f " not in xml
    ws = load_workbook(everything).active
    assert ws is not None
    starts = ("=", "+", "-", "@", "\t", "\r")
    texts = [c for r in ws.iter_rows(min_row=2) for c in r if isinstance(c.value, str)]
    assert all(c.data_type == "s" and not c.value.startswith(starts) for c in texts)
    assert len([c for c in texts if c.value.startswith("'")]) == 4

    one_day = tmp_path / "day.xlsx"
    assert export_cases(db, one_day, day_id=None) == 3
    cli.ok("export", "cases", str(one_day), "--day", DAY.isoformat())
    assert [r["案件编号"] for r in _rows(one_day)] == [handed, on_spot]

    code, _, err = cli.run("export", "cases", str(tmp_path / "cases.csv"))
    assert code == 2 and ".xlsx" in err and not (tmp_path / "cases.csv").exists()
