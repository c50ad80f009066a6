"""After-the-day printouts: the slip's 办理情况反馈 section and marks, 催办单 reminders, the 接访日简报 bulletin,
the figures report by department (data loaded by services/report_data, PDFs read back with pypdf), and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.domain import resident_id
from reception_desk.domain.figures import rate_text
from reception_desk.domain.office_time import to_utc
from reception_desk.printing import (
    BulletinRenderer,
    FiguresReportRenderer,
    HandoverSlipRenderer,
    ReminderRenderer,
)
from reception_desk.services import assignment, case_life, cases, flow, metrics, print_data, report_data
from reception_desk.services.cases import CaseDetail, CaseInput
from reception_desk.services.days import create_day
from reception_desk.services.demo import create_demo_day
from reception_desk.services.errors import InvalidInputError, NotFoundError
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from tests.test_printing_data import EXT_A_NAME, EXT_B_NAME, PEOPLE, BuiltDay, build_day

CASE_NO = re.compile(r"JF-\d{8}-\d{2}-\d{3}")
FULL_ID = re.compile(r"\d{17}[\dXx]")
SECOND_DAY = dt.date(2026, 12, 18)
AS_OF = dt.date(2026, 12, 16)  # a Wednesday: the yellow case (due 12-09) is 7 days over, the red (12-15) 1 day
SUPERVISION = "涉及多户征收补偿，区长批示挂牌督办"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Naive UTC of an office wall-clock time."""
    return to_utc(dt.datetime.combine(day, dt.time(hour, minute)))


def texts_of(data: bytes) -> list[str]:
    """Each page's text."""
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text without whitespace (wrapped lines joined back)."""
    return re.sub(r"\s+", "", text)


def render(renderer: object, data: object) -> tuple[bytes, list[str]]:
    """Render into memory; the PDF and its pages' text."""
    out = io.BytesIO()
    renderer.render(data, out)  # type: ignore[attr-defined]
    return out.getvalue(), texts_of(out.getvalue())


@dataclass(frozen=True)
class Lived:
    """The test day after some days of work: case numbers by what happened to them."""

    built: BuiltDay
    signed: str  # 自然资源: signed and replied, still open, due 12-09 → overdue
    closed: str  # 人社: closed 化解, rated 满意
    supervised: str  # 征收办 (王学德): supervised, due 12-15 → overdue from 12-16
    extended: str  # 医保: due moved 12-09 → 12-18
    escalated: str  # a repeat visit on the second day about the closed case, 提级核查


def live(db: Database) -> Lived:
    """The printing test day (2026-12-04) taken through sign-for, feedback, close, supervision, extension, and a
    repeat visit on a second day that is escalated."""
    built = build_day(db)
    ids = built.cases
    no = {name: cases.case_detail(db, case_id).case_no for name, case_id in ids.items()}
    a, b, c, d = (p.name for p in PEOPLE[:4])
    feedback = "已约谈当事人，正在核实补偿面积。"
    case_life.sign_case(db, ids[a], "李明", "测试", at=at(dt.date(2026, 12, 5), 9, 30))
    case_life.add_feedback(db, ids[a], feedback, "李明", "测试", at=at(dt.date(2026, 12, 7), 16, 5))
    case_life.sign_case(db, ids[b], "王芳", "测试", at=at(dt.date(2026, 12, 4), 15, 0))
    case_life.add_feedback(db, ids[b], "已督促公司结清工资。", "王芳", "测试", at=at(dt.date(2026, 12, 7), 10, 0))
    case_life.close_case(db, ids[b], True, "测试", at=at(dt.date(2026, 12, 7), 11, 0))
    case_life.follow_up(db, ids[b], "satisfied", "测试", at=at(dt.date(2026, 12, 8), 10, 0))
    until = dt.date(2026, 12, 20)
    case_life.supervise_case(db, ids[c], SUPERVISION, "局长", until=until, at=at(dt.date(2026, 12, 8), 9))
    reason = "需调取社保档案"
    case_life.extend_case(db, ids[d], SECOND_DAY, reason, "测试", approved_by="副局长", at=at(dt.date(2026, 12, 8), 10))

    # the visitor of the closed case comes back on a second day: a repeat visit, escalated one level up
    second, _ = create_day(db, SECOND_DAY, title="衢江区领导下访接访日", venue="衢江区工贸职校")
    p = PEOPLE[1]
    registration = RegistrationInput(
        lead=PersonInput(p.name, id_number=p.id_number, phone=p.phone),
        request="再次反映欠薪问题，公司仍未足额支付。",
        theme_code=p.theme,
        headcount=1,
        township=p.township,
        village=p.village,
    )
    batch_id, _ = add_registration(db, second.id, registration)
    assignment.assign_day(db, second.id)
    flow.check_in(db, batch_id, "登记台")
    data = CaseInput(
        instruction="请区人社局提级核查。",
        colour="yellow",
        lead_department_id=built.departments["人力资源和社会保障局"],
        escalate=True,
    )
    repeat_id, _ = cases.record_case(db, batch_id, data, "记录员")
    return Lived(built, no[a], no[b], no[c], no[d], cases.case_detail(db, repeat_id).case_no)


@pytest.fixture
def lived(db: Database) -> Lived:
    """The lived test day on this database."""
    return live(db)


def detail(db: Database, case_no: str) -> CaseDetail:
    """One case's slip data."""
    (found,) = print_data.cases_by_number(db, [case_no])
    return found


# ------------------------------------------------------------------------------------------------ the slip


def test_slip_has_the_feedback_section_and_the_marks(db: Database, lived: Lived) -> None:
    order = [lived.signed, lived.supervised, lived.extended, lived.escalated]
    _, texts = render(HandoverSlipRenderer(), print_data.cases_by_number(db, order))
    slips = {CASE_NO.search(t).group(): t for t in texts if "交　办　单" in t}  # type: ignore[union-attr]
    assert set(order) <= set(slips)
    for text in slips.values():
        for words in ("办理情况反馈", "办理情况", "承办人（签字）", "承办单位（盖章）", "反馈日期", "签收人（签字）"):
            assert words in text
    plain, supervised = flat(slips[lived.signed]), flat(slips[lived.supervised])
    assert "挂牌督办" not in plain and "提级核查" not in plain and "已延期" not in plain
    assert "挂牌督办" in supervised and flat(SUPERVISION) in supervised and "督办期限：2026年12月20日" in supervised
    extended = flat(slips[lived.extended])
    assert "2026年12月18日前反馈（原期限2026年12月9日，已延期）" in extended
    escalated = flat(slips[lived.escalated])
    assert "提级核查" in escalated and f"重复访（原案件{lived.closed}）" in escalated


# ------------------------------------------------------------------------------------------------ reminders


def test_reminders_are_for_the_overdue_cases_only(db: Database, lived: Lived) -> None:
    items = report_data.reminders(db, AS_OF)
    # the 督办台's order: supervised first among the overdue, then by due date
    assert [(r.case.case_no, r.overdue_days) for r in items] == [(lived.supervised, 1), (lived.signed, 7)]
    assert all(r.reply_by == dt.date(2026, 12, 17) for r in items)  # the next working day
    history = items[1].history
    assert [s.kind for s in history] == ["signed", "feedback"]
    # a day earlier the red case was not yet due; the extended one never was
    assert [r.case.case_no for r in report_data.reminders(db, dt.date(2026, 12, 15))] == [lived.signed]
    # as of a date before the feedback, the history stops there (and the case is not yet overdue)
    (early,) = report_data.reminders(db, dt.date(2026, 12, 6), [lived.signed])
    assert [s.kind for s in early.history] == ["signed"] and early.overdue_days == 0
    assert [r.case.case_no for r in report_data.reminders(db, AS_OF, department="征收办")] == [lived.supervised]
    chosen = report_data.reminders(db, AS_OF, [lived.supervised, lived.signed])
    assert [r.case.case_no for r in chosen] == [lived.supervised, lived.signed]


def test_reminders_refuse_unknown_names_and_closed_cases(db: Database, lived: Lived) -> None:
    with pytest.raises(NotFoundError):
        report_data.reminders(db, AS_OF, department="不存在的局")
    with pytest.raises(NotFoundError, match="JF-20261204-15-999"):
        report_data.reminders(db, AS_OF, ["JF-20261204-15-999"])
    with pytest.raises(InvalidInputError, match="已办结"):
        report_data.reminders(db, AS_OF, [lived.closed])


def test_reminder_pdf_one_page_per_case_with_everything_the_department_needs(db: Database, lived: Lived) -> None:
    items = report_data.reminders(db, AS_OF)
    _, texts = render(ReminderRenderer(), items)
    assert len(texts) == len(items) == 2
    second, first = (flat(t) for t in texts)
    case = detail(db, lived.signed)
    for words in (
        "信访事项催办单",
        "自然资源和规划分局：",
        lived.signed,
        flat(EXT_B_NAME),
        resident_id.mask(PEOPLE[0].id_number),
        flat(PEOPLE[0].request),
        flat(case.instruction),
        "2026年12月4日",  # received
        "2026年12月9日",  # due
        "已逾期7天",
        "黄色",
        "签收",
        "2026年12月5日09:30",  # signed, Asia/Shanghai
        "反馈",
        "2026年12月7日16:05",
        "已约谈当事人，正在核实补偿面积。",
        "请于2026年12月17日前将办理情况书面反馈区信访局",
        "区信访局（盖章）",
        "0570-3023456",
        "第1页共1页",
    ):
        assert words in first, words
    assert "挂牌督办" not in first
    for words in ("征收办：", lived.supervised, "已逾期1天", "挂牌督办", flat(SUPERVISION), "2026年12月20日"):
        assert words in second, words
    assert "交办后尚无签收、反馈记录" in second
    assert not FULL_ID.search("".join(texts))


def test_no_overdue_case_gives_one_page_saying_so(db: Database, lived: Lived) -> None:
    items = report_data.reminders(db, dt.date(2026, 12, 8))
    assert items == []
    _, texts = render(ReminderRenderer(), items)
    assert len(texts) == 1 and "没有逾期未办结的案件" in texts[0]


# ------------------------------------------------------------------------------------------------ bulletin


def test_bulletin_prints_the_days_figures_and_lists(db: Database, lived: Lived) -> None:
    data = report_data.bulletin(db, lived.built.day_id, AS_OF)
    expected = metrics.metrics(db, AS_OF, day_from=dt.date(2026, 12, 4), day_to=dt.date(2026, 12, 4)).total
    assert data.figures == expected
    assert [c.case_no for c in data.overdue] == [lived.supervised, lived.signed]
    assert [c.case_no for c in data.supervised] == [lived.supervised]
    assert expected.overdue == len(data.overdue)
    _, texts = render(BulletinRenderer(), data)
    assert len(texts) == 1
    text = flat(texts[0])
    totals = data.summary.totals
    for words in (
        "接访日简报",
        "2026年12月4日",
        "区委书记张明",
        "统计截至2026年12月16日",
        f"{totals.batches}批",
        f"{totals.people}人",
        f"{expected.cases}件",
        f"当场解决{expected.resolved_on_spot}件",
        f"解释说明{expected.explained}件",
        f"交办{expected.handed_over}件",
        rate_text(expected.on_time_rate),
        rate_text(expected.participation_rate),
        rate_text(expected.satisfaction_rate),
        rate_text(expected.resolution_rate),
        "按期办结率",
        "参评率",
        "满意率",
        "化解率",
        lived.signed,
        lived.supervised,
        "7天",
        "征收办",
        "第1页共1页",
    ):
        assert words in text, words
    for theme in data.summary.by_theme:
        assert flat(theme.name) in text
    for room in data.summary.by_room:
        assert flat(room.name) in text


def test_bulletin_of_the_demo_day_is_one_page_even_with_long_lists(db: Database) -> None:
    info = create_demo_day(db, seed=2006, date=dt.date(2026, 11, 27))
    handed = print_data.day_cases(db, info.id)
    for case in handed[:12]:
        case_life.supervise_case(db, case.case_id, "督办", "局长", at=at(dt.date(2026, 11, 30), 9))
    later = dt.date(2027, 1, 29)  # every open handed-over case is overdue by then
    data = report_data.bulletin(db, info.id, later)
    assert len(data.summary.by_room) == 15 and data.summary.totals.batches >= 150
    assert len(data.overdue) > 10 and len(data.supervised) == 12
    _, texts = render(BulletinRenderer(), data)
    assert len(texts) == 1
    text = flat(texts[0])
    assert f"其余{len(data.overdue) - 5}件" in text and f"其余{len(data.supervised) - 5}件" in text
    assert "第15接待室" in text and "合计" in text
    today = report_data.bulletin(db, info.id, dt.date(2026, 11, 27))
    _, texts = render(BulletinRenderer(), today)
    assert len(texts) == 1 and "无逾期未办结案件" in texts[0]
    # on the day itself no handed-over case is closed or past due: no on-time rate, printed as —
    f = today.figures
    rates = (f.on_time_rate, f.participation_rate, f.satisfaction_rate, f.resolution_rate)
    assert f.on_time_rate is None
    assert "".join(rate_text(r) for r in rates) + "按期办结率参评率满意率化解率" in flat(texts[0])


# ------------------------------------------------------------------------------------------------ figures report


def test_figures_report_by_department_with_a_total(db: Database, lived: Lived) -> None:
    report = report_data.figures_report(db, dt.date(2026, 12, 1), dt.date(2026, 12, 31), AS_OF)
    by = dict(metrics.metrics(db, AS_OF, dt.date(2026, 12, 1), dt.date(2026, 12, 31), by="department").groups)
    assert dict(report.rows)["人力资源和社会保障局"] == by["人力资源和社会保障局"]
    assert report.total.cases == sum(f.cases for _, f in report.rows) == 7  # six on the first day, one repeat
    assert report.rows[-1][0] == report_data.ON_THE_SPOT  # the resolved and explained cases, no department
    _, texts = render(FiguresReportRenderer(), report)
    text = flat("".join(texts))
    assert "接访案件办理情况统计表" in text
    assert "统计期间：2026年12月1日至2026年12月31日" in text and "数据截至：2026年12月16日" in text
    for name, fig in report.rows:
        row = flat(name) + "".join(
            [str(fig.cases), str(fig.handed_over), str(fig.closed), str(fig.closed_on_time), str(fig.overdue)]
        )
        assert row in text, name
        assert rate_text(fig.on_time_rate) in text
    total = report.total
    assert f"合计{total.cases}{total.handed_over}{total.closed}{total.closed_on_time}{total.overdue}" in text
    for words in ("按期办结率", "参评率", "满意率", "化解率"):
        assert words in text
    with pytest.raises(InvalidInputError):
        report_data.figures_report(db, dt.date(2026, 12, 31), dt.date(2026, 12, 1), AS_OF)


# ------------------------------------------------------------------------------------------------ CLI


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prints_the_after_day_documents_and_refuses_unknown_names(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lived = live(sqlite_db)
    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    base = ("--db", url, "--today", AS_OF.isoformat(), "print")
    out = tmp_path / "out" / "reminders.pdf"
    code, stdout, stderr = _run(capsys, *base, "reminders", "--out", str(out))
    assert code == 0, stderr
    texts = texts_of(out.read_bytes())
    assert [CASE_NO.search(t).group() for t in texts] == [lived.supervised, lived.signed]  # type: ignore[union-attr]
    assert "2 份" in stdout

    code, _, stderr = _run(capsys, *base, "reminders", "--case", lived.supervised, "--out", str(out))
    assert code == 0, stderr
    assert len(texts_of(out.read_bytes())) == 1
    code, _, stderr = _run(capsys, *base, "reminders", "--department", "征收办", "--out", str(out))
    assert code == 0 and [CASE_NO.findall(t)[0] for t in texts_of(out.read_bytes())] == [lived.supervised]

    for extra in (("--department", "不存在的局"), ("--case", "JF-20261204-15-999"), ("--case", lived.closed)):
        code, stdout, stderr = _run(capsys, *base, "reminders", *extra, "--out", str(tmp_path / "x.pdf"))
        assert code == 2 and stdout == "" and len(stderr.strip().splitlines()) == 1, extra

    bulletin = tmp_path / "bulletin.pdf"
    code, _, stderr = _run(capsys, *base, "bulletin", "--day", "2026-12-04", "--out", str(bulletin))
    assert code == 0, stderr
    (page,) = texts_of(bulletin.read_bytes())
    assert "接访日简报" in page and lived.signed in page

    report = tmp_path / "report.pdf"
    code, _, stderr = _run(capsys, *base, "report", "--out", str(report))  # this month up to --today
    assert code == 0, stderr
    text = flat("".join(texts_of(report.read_bytes())))
    assert "统计期间：2026年12月1日至2026年12月16日" in text and "人力资源和社会保障局" in text
    code, _, stderr = _run(capsys, *base, "report", "--day", "2026-12-18", "--out", str(report))
    assert code == 0, stderr
    text = flat("".join(texts_of(report.read_bytes())))
    assert "接访日期：2026年12月18日" in text and "合计1" in text
    assert EXT_A_NAME not in text  # the report names departments, not people
