"""The 统计 page: the four rates with their numerators and denominators, the counts, the breakdown table, the
period and as-of date, and a reload when a case changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from reception_desk.db.models import Case, Department
from reception_desk.domain import office_time
from reception_desk.services import assignment, case_life, cases, days, flow
from reception_desk.services.cases import CaseInput
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.statistics_page import StatisticsPage, resolve_period
from tests.helpers import register

WAIT = 5000


def _dept(ctx: AppContext, name: str) -> int:
    with ctx.db.read() as session:
        dept_id = session.scalar(select(Department.id).where(Department.name == name))
        assert dept_id is not None
        return dept_id


def _cases(ctx: AppContext) -> dict[str, int]:
    """Five cases on a day dated today, through the services:
    A 交办 人社局: signed, feedback, closed 化解, rated 满意;   B 交办 人社局: open;
    C 当场解决: closed 化解 at once, rated 不满意;             D 解释说明: closed, not 化解, no follow-up;
    E 交办 交通运输局: closed not 化解, 未能联系 (not a rating)."""
    db, actor = ctx.db, ctx.actor
    # a day dated today, so the cases recorded now lie within it and the due dates lie ahead whenever this runs
    today = office_time.today()
    info = next((d for d in days.list_days(db) if d.date == today), None) or days.create_day(db, today)[0]
    ctx.set_day(info.id)
    day_id = info.id
    batches = register(db, day_id, 5)
    assignment.assign_day(db, day_id)
    for batch_id in batches:
        flow.check_in(db, batch_id, "登记台")
    hrss, transport = _dept(ctx, "人力资源和社会保障局"), _dept(ctx, "交通运输局")
    inputs = {
        "A": CaseInput(outcome="handed_over", colour="yellow", lead_department_id=hrss),
        "B": CaseInput(outcome="handed_over", colour="yellow", lead_department_id=hrss),
        "C": CaseInput(instruction="当场解决。", outcome="resolved"),
        "D": CaseInput(outcome="explained"),
        "E": CaseInput(outcome="handed_over", colour="green", lead_department_id=transport),
    }
    ids = {
        key: cases.record_case(db, batch_id, data, actor)[0]
        for (key, data), batch_id in zip(inputs.items(), batches, strict=True)
    }
    case_life.sign_case(db, ids["A"], "人社局 王", actor)
    case_life.add_feedback(db, ids["A"], "已协调发放工资", "人社局 王", actor)
    case_life.close_case(db, ids["A"], True, actor)
    case_life.follow_up(db, ids["A"], "satisfied", actor)
    case_life.follow_up(db, ids["C"], "dissatisfied", actor)
    case_life.sign_case(db, ids["E"], "交通局 李", actor)
    case_life.add_feedback(db, ids["E"], "已说明政策", "交通局 李", actor)
    case_life.close_case(db, ids["E"], False, actor)
    case_life.follow_up(db, ids["E"], "unreachable", actor)
    return ids


def _page(qtbot: Any, ctx: AppContext, pages: list[Page]) -> StatisticsPage:
    page = StatisticsPage(ctx)
    pages.append(page)
    page.resize(1366, 768)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    return page


def _reloaded(qtbot: Any, page: StatisticsPage, action: Any) -> None:
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        action()


def _tile(page: StatisticsPage, key: str) -> tuple[str, str]:
    value, detail = page.tiles[key]
    return value.text(), detail.text()


def _table(page: StatisticsPage) -> list[list[str]]:
    model = page.table_model
    return [[str(model.index(r, c).data()) for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_tiles_counts_and_breakdown(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    _cases(app_ctx)
    page = _page(qtbot, app_ctx, pages)
    assert page.period() == "day"
    # 按期: handed over and closed A, E, both by their due date; none overdue → 2 / 2
    assert _tile(page, "on_time") == ("100.00%", "已按期 2 / 2")
    # 参评: closed A C D E; rated A (满意) and C (不满意); 未能联系 is no rating → 2 / 4
    assert _tile(page, "participation") == ("50.00%", "已评价 2 / 4")
    assert _tile(page, "satisfaction") == ("50.00%", "满意 1 / 2")
    # 化解: A and C of the four closed
    assert _tile(page, "resolution") == ("50.00%", "已化解 2 / 4")
    shown = {key: label.text() for key, label in page.counts.items()}
    assert shown == {
        "cases": "5",
        "handed_over": "3",
        "resolved_on_spot": "1",
        "explained": "1",
        "open": "1",
        "overdue": "0",
        "supervised": "0",
        "repeat_visits": "0",
    }
    # by department, most cases first (ties by name); the columns: name, 案件 交办 当场解决 解释说明 已办结 未办结
    # 逾期 督办 重复访, then 按期办结率 参评率 满意率 化解率
    assert _table(page) == [
        [
            "人力资源和社会保障局",
            "2",
            "2",
            "0",
            "0",
            "1",
            "1",
            "0",
            "0",
            "0",
            "100.00%",
            "100.00%",
            "100.00%",
            "100.00%",
        ],
        ["（未指定）", "2", "0", "1", "1", "2", "0", "0", "0", "0", "—", "50.00%", "0.00%", "50.00%"],
        ["交通运输局", "1", "1", "0", "0", "1", "0", "0", "0", "0", "100.00%", "0.00%", "—", "0.00%"],
        ["合计", "5", "3", "1", "1", "4", "1", "0", "0", "0", "100.00%", "50.00%", "50.00%", "50.00%"],
    ]
    assert page.progress_chart.categories == ["人力资源和社会保障局", "（未指定）", "交通运输局"]

    _reloaded(qtbot, page, lambda: page.group_buttons.button(1).click())
    assert page.group() == "theme"
    assert page.table_model.headerData(0, Qt.Orientation.Horizontal) == "问题类别"
    rows = _table(page)
    assert rows[-1][:2] == ["合计", "5"] and sum(int(r[1]) for r in rows[:-1]) == 5


def test_as_of_date_counts_overdue_and_empty_period_shows_dashes(
    qtbot: Any, app_ctx: AppContext, pages: list[Page]
) -> None:
    ids = _cases(app_ctx)
    with app_ctx.db.read() as session:
        due = session.get(Case, ids["B"]).due_date  # type: ignore[union-attr]
    assert due is not None
    page = _page(qtbot, app_ctx, pages)

    # the day after B's due date: B is overdue, so 按期 is 2 of (2 closed + 1 overdue)
    after = due + dt.timedelta(days=1)
    _reloaded(qtbot, page, lambda: page.as_of_edit.setDate(QDate(after.year, after.month, after.day)))
    assert _tile(page, "on_time") == ("66.67%", "已按期 2 / 3")
    assert page.counts["overdue"].text() == "1"

    # as of yesterday nothing had been recorded: every rate is "—", never 0% or 100%
    yesterday = office_time.today() - dt.timedelta(days=1)
    _reloaded(qtbot, page, lambda: page.as_of_edit.setDate(QDate(yesterday.year, yesterday.month, yesterday.day)))
    for key in ("on_time", "participation", "satisfaction", "resolution"):
        assert _tile(page, key)[0] == "—"
    assert page.counts["cases"].text() == "0" and page.table_model.rowCount() == 0

    # a custom period without the test day: no cases either
    today = office_time.today()
    _reloaded(qtbot, page, lambda: page.as_of_edit.setDate(QDate(today.year, today.month, today.day)))
    _reloaded(qtbot, page, lambda: page.period_combo.setCurrentIndex(page.period_combo.findData("custom")))
    _reloaded(qtbot, page, lambda: page.from_edit.setDate(QDate(2020, 1, 1)))
    _reloaded(qtbot, page, lambda: page.to_edit.setDate(QDate(2020, 12, 31)))
    assert page.counts["cases"].text() == "0" and _tile(page, "resolution")[0] == "—"
    _reloaded(qtbot, page, lambda: page.period_combo.setCurrentIndex(page.period_combo.findData("all")))
    assert page.counts["cases"].text() == "5"


def test_reloads_when_a_case_changes(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    ids = _cases(app_ctx)
    case_life.sign_case(app_ctx.db, ids["B"], "人社局 王", app_ctx.actor)
    case_life.add_feedback(app_ctx.db, ids["B"], "已答复", "人社局 王", app_ctx.actor)
    page = _page(qtbot, app_ctx, pages)
    assert page.counts["open"].text() == "1"
    page.spawn(app_ctx.write(case_life.close_case, app_ctx.db, ids["B"], True, app_ctx.actor))
    qtbot.waitUntil(lambda: page.counts["open"].text() == "0", timeout=WAIT)
    # now A, B, C of the five closed are 化解
    assert _tile(page, "resolution") == ("60.00%", "已化解 3 / 5")


def test_periods_cover_the_right_days() -> None:
    as_of = dt.date(2026, 2, 14)
    assert resolve_period("month", as_of, None) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert resolve_period("year", as_of, None) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert resolve_period("day", as_of, dt.date(2026, 1, 9)) == (dt.date(2026, 1, 9), dt.date(2026, 1, 9))
    assert resolve_period("all", as_of, None) == (None, None)
    assert resolve_period("custom", as_of, None, dt.date(2025, 3, 1), dt.date(2025, 4, 1)) == (
        dt.date(2025, 3, 1),
        dt.date(2025, 4, 1),
    )
