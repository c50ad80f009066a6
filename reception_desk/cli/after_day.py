"""The after-the-day commands: checkin, case …, cases, metrics, calendar and `export cases`.

The office scripts these, so names, flags, exit codes and --json keys are a promise. A step the services refuse
(wrong state, unknown case, department or registration number) exits 2 with one Chinese line on stderr and changes
nothing; other failures go to main's handler (exit 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reception_desk.cli.text import say
from reception_desk.errors import InvalidInputError, NotFoundError, UnusableInputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from reception_desk.cli.main import Context
    from reception_desk.db.models import Batch

EXIT_OK, EXIT_REFUSED = 0, 2
OUTCOMES = {"当场解决": "resolved", "交办": "handed_over", "解释说明": "explained"}
COLOUR_WORDS = {"绿色": "green", "绿": "green", "黄色": "yellow", "黄": "yellow", "红色": "red", "红": "red"}
CASE_STATUSES = ("open", "signed", "replied", "closed", "overdue", "due")
GROUPS = ("department", "theme", "room")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def parse_local_time(text: str) -> dt.datetime:
    """An office wall-clock time typed as "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM" (naive, Asia/Shanghai)."""
    value = text.strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise InvalidInputError(f"时间格式应为 YYYY-MM-DD HH:MM：{text}")


def _iso(moment: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO in the office's zone with its offset (+08:00 in Asia/Shanghai)."""
    from reception_desk.domain.office_time import zone

    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(zone()).isoformat()


def _shown(moment: dt.datetime | None) -> str:
    from reception_desk.domain.office_time import to_local

    return f"{to_local(moment):%Y-%m-%d %H:%M}" if moment else "—"


def _refusals(command: Callable[[Context], int]) -> Callable[[Context], int]:
    """Exit 2 with one line on stderr for an unknown thing or a step out of order (nothing was changed)."""

    @functools.wraps(command)
    def run(ctx: Context) -> int:
        try:
            return command(ctx)
        except (InvalidInputError, NotFoundError) as exc:
            print(say(ctx.lang, "error", msg=exc), file=sys.stderr)
            return EXIT_REFUSED

    return run


def _dump(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


# ------------------------------------------------------------------------------------------------ grammar


def add_parsers(sub: Any, export_sub: Any) -> None:
    """Add checkin, case, cases, metrics, calendar to the top-level sub-parsers and `cases` to `export`."""
    checkin = sub.add_parser("checkin", help="签到：整批或其中一人（与签到台相同）")
    checkin.add_argument("reg_no", metavar="REG_NO")
    checkin.add_argument("--person", metavar="ID_OR_NAME", help="只为这一人签到（身份证号或姓名）")
    checkin.add_argument("--at", metavar="DATETIME", help="签到时间 YYYY-MM-DD HH:MM（北京时间），默认现在")
    checkin.add_argument("--undo", action="store_true", help="撤销签到（整批，或 --person 指定的一人），须写 --reason")
    checkin.add_argument("--reason", default="", metavar="TEXT", help="撤销签到的原因")
    checkin.add_argument("--day", type=_date, help="接访日，默认最近的一天")
    checkin.add_argument("--json", action="store_true")

    case = sub.add_parser("case", help="案件：记录、签收、反馈、办结、回访、延期、督办、提级核查、查看")
    steps = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    record = steps.add_parser("record", help="记录已签到批次的接谈结果（经叫号、接谈）")
    record.add_argument("reg_no", metavar="REG_NO")
    record.add_argument("--outcome", required=True, help="当场解决 | 交办 | 解释说明")
    record.add_argument("--department", metavar="NAME", help="主办单位")
    record.add_argument("--co", action="append", default=[], metavar="NAME", help="协办单位（可重复）")
    record.add_argument("--colour", help="green 绿色1日 | yellow 黄色3日 | red 红色7日")
    record.add_argument("--request", default="", metavar="TEXT", help="反映问题（默认为登记时的诉求）")
    record.add_argument("--instruction", default="", metavar="TEXT", help="领导批示")
    record.add_argument("--at", metavar="DATETIME")
    record.add_argument("--escalate", action="store_true", help="确认提级核查（对已办结案件的重复访）")
    record.add_argument("--day", type=_date, help="接访日，默认最近的一天")
    record.add_argument("--json", action="store_true")

    sign = steps.add_parser("sign", help="签收")
    sign.add_argument("case_no", metavar="CASE_NO")
    sign.add_argument("--by", required=True, metavar="NAME", help="签收人")
    sign.add_argument("--at", metavar="DATETIME")

    reply = steps.add_parser("reply", help="责任单位反馈（可多次）")
    reply.add_argument("case_no", metavar="CASE_NO")
    reply.add_argument("--text", required=True)
    reply.add_argument("--by", default="", metavar="NAME")
    reply.add_argument("--at", metavar="DATETIME")

    close = steps.add_parser("close", help="办结（化解 yes/no）")
    close.add_argument("case_no", metavar="CASE_NO")
    close.add_argument("--resolved", required=True, metavar="yes|no", help="是否化解")
    close.add_argument("--text", default="")
    close.add_argument("--at", metavar="DATETIME")

    followup = steps.add_parser("followup", help="回访")
    followup.add_argument("case_no", metavar="CASE_NO")
    followup.add_argument("--rating", required=True, help="满意 | 基本满意 | 不满意 | 未能联系")
    followup.add_argument("--method", default="电话", help="电话 | 上门 | 短信")
    followup.add_argument("--text", default="")
    followup.add_argument("--at", metavar="DATETIME")

    extend = steps.add_parser("extend", help="延期")
    extend.add_argument("case_no", metavar="CASE_NO")
    extend.add_argument("--to", dest="to_date", type=_date, required=True, metavar="DATE")
    extend.add_argument("--reason", required=True)
    extend.add_argument("--approved-by", default="", metavar="NAME")

    supervise = steps.add_parser("supervise", help="挂牌督办")
    supervise.add_argument("case_no", metavar="CASE_NO")
    supervise.add_argument("--reason", required=True)
    supervise.add_argument("--until", type=_date, metavar="DATE")

    escalate = steps.add_parser("escalate", help="提级核查（对已办结案件的重复访）")
    escalate.add_argument("case_no", metavar="CASE_NO")
    escalate.add_argument("--reason", default="")

    show = steps.add_parser("show", help="案件详情与办理经过")
    show.add_argument("case_no", metavar="CASE_NO")
    show.add_argument("--json", action="store_true")

    cases = sub.add_parser("cases", help="案件列表（最紧急的在前）")
    scope = cases.add_mutually_exclusive_group()
    scope.add_argument("--day", type=_date, help="接访日，默认最近的一天")
    scope.add_argument("--all-days", action="store_true", help="所有接访日")
    cases.add_argument("--status", choices=CASE_STATUSES)
    cases.add_argument("--department", metavar="NAME")
    cases.add_argument("--json", action="store_true")

    metrics = sub.add_parser("metrics", help="统计：按期办结率、参评率、满意率、化解率")
    metrics.add_argument("--day", type=_date, help="只统计这一接访日")
    metrics.add_argument("--from", dest="day_from", type=_date, metavar="DATE")
    metrics.add_argument("--to", dest="day_to", type=_date, metavar="DATE")
    metrics.add_argument("--by", choices=GROUPS)
    metrics.add_argument("--json", action="store_true")

    calendar = sub.add_parser("calendar", help="节假日与调休日历")
    cal = calendar.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    cal_show = cal.add_parser("show", help="列出一年的放假与调休上班日")
    cal_show.add_argument("year", type=int, metavar="YEAR")
    cal_show.add_argument("--json", action="store_true")
    cal_set = cal.add_parser("set", help="把一天设为工作日或放假")
    cal_set.add_argument("date", type=_date, metavar="DATE")
    cal_set.add_argument("kind", metavar="workday|holiday")
    cal_set.add_argument("--note", default="")

    exp = export_sub.add_parser("cases", help="导出案件台账（含办理经过）到 .xlsx")
    exp.add_argument("file", type=Path, metavar="FILE.xlsx")
    exp_scope = exp.add_mutually_exclusive_group()
    exp_scope.add_argument("--day", type=_date, help="只导出这一接访日")
    exp_scope.add_argument("--all-days", action="store_true", help="所有接访日（默认）")
    exp.add_argument(
        "--reveal-reason", metavar="TEXT", help="导出完整的身份证号和电话（仅管理员，须写明原因，记入操作日志）"
    )


# ------------------------------------------------------------------------------------------------ check-in, record


def _batch(session: Session, day_id: int, reg_no: str) -> Batch:
    from sqlalchemy import select

    from reception_desk.db.models import Batch

    batch = session.scalar(select(Batch).where(Batch.day_id == day_id, Batch.reg_no == reg_no.strip().upper()))
    if batch is None:
        batch = session.scalar(select(Batch).where(Batch.day_id == day_id, Batch.reg_no == reg_no.strip()))
    if batch is None:
        raise NotFoundError(f"该接访日没有登记号为 {reg_no} 的批次。")
    return batch


def _member_ids(batch: Batch, person: str) -> list[int]:
    """The batch member named by resident ID or name; refused when nobody or more than one matches."""
    from reception_desk.domain import resident_id

    wanted = person.strip()
    number = resident_id.normalize(wanted)
    by_id = [m.id for m in batch.members if number and m.visitor.id_number == number]
    found = by_id or [m.id for m in batch.members if m.visitor.name == wanted]
    if not found:
        raise NotFoundError(f"批次 {batch.reg_no} 中没有“{wanted}”。")
    if len(found) > 1:
        raise InvalidInputError(f"批次 {batch.reg_no} 中有 {len(found)} 人名为“{wanted}”，请用身份证号指定。")
    return found


@_refusals
def cmd_checkin(ctx: Context) -> int:
    """Check a batch in as the desk does (the whole batch, or one person of it); --undo takes it back."""
    from reception_desk.services.flow import check_in_in, undo_check_in_in
    from reception_desk.services.queue_numbers import ahead_of

    a = ctx.args
    if a.undo and not a.reason.strip():
        raise InvalidInputError("撤销签到需要填写原因（--reason）。")
    if a.reason.strip() and not a.undo:
        raise InvalidInputError("--reason 只用于撤销签到（--undo）。")
    day_id = ctx.day_id(a.day)
    at = ctx.moment(a.at)
    with ctx.db.session() as session:
        batch = _batch(session, day_id, a.reg_no)
        members = _member_ids(batch, a.person) if a.person else None
        undone_number = batch.queue_number
        newly = 0
        if a.undo:
            undo_check_in_in(session, batch, ctx.actor, a.reason, members)
        else:
            newly = len(check_in_in(session, batch, ctx.actor, members, at).newly_checked_in)
        room_number = batch.room.number if batch.room is not None else None
        checked_in = sum(1 for m in batch.members if m.checked_in_at is not None)
        ahead = ahead_of(session, batch)
        reg_no, status, number, people = batch.reg_no, batch.status, batch.queue_number, len(batch.members)
    if a.json:
        data: dict[str, Any] = {
            "reg_no": reg_no,
            "queue_number": number,
            "status": status,
            "room": room_number,
            "checked_in": checked_in,
            "members": people,
            "ahead": ahead,
        }
        if a.undo:
            data |= {"undone": True, "undone_queue_number": undone_number if number is None else None}
        else:
            data["newly_checked_in"] = newly
        _dump(data)
        return EXIT_OK
    room = f"第{room_number}接待室" if room_number is not None else "待分配接待室"
    if a.undo:
        rest = f"仍有 {checked_in}/{people} 人签到，排队号 {room} {number}号" if number is not None else "已退回已登记"
        print(f"{reg_no} 已撤销签到（原因：{a.reason.strip()}）：{rest}。")
        return EXIT_OK
    numbered = f"排队号 {room} {number}号" if number is not None else f"排队号 —，{room}"
    waiting = f"，前面还有 {ahead} 批" if ahead else ""
    print(f"{reg_no} 已签到：{checked_in}/{people} 人，{numbered}{waiting}。")
    return EXIT_OK


def _outcome(text: str) -> str:
    value = text.strip()
    if value in OUTCOMES:
        return OUTCOMES[value]
    if value.lower() in OUTCOMES.values():
        return value.lower()
    raise InvalidInputError(f"未知的处理结果：{text}（应为 当场解决、交办 或 解释说明）。")


def _colour(text: str | None) -> str | None:
    if not text:
        return None
    value = text.strip()
    return COLOUR_WORDS.get(value, value.lower())


@_refusals
def cmd_case_record(ctx: Context) -> int:
    """Record the case of a checked-in batch as the room host does: call it in, hold the session, record."""
    from reception_desk.db.models import Case
    from reception_desk.domain.batches import BatchStatus
    from reception_desk.services.cases import CaseInput, record_case_in
    from reception_desk.services.flow import start_session_in
    from reception_desk.services.print_data import find_department

    a = ctx.args
    lead = find_department(ctx.db, a.department).id if a.department else None
    co = [find_department(ctx.db, name).id for name in a.co]
    data = CaseInput(
        request=a.request,
        instruction=a.instruction,
        outcome=_outcome(a.outcome),
        colour=_colour(a.colour),
        lead_department_id=lead,
        co_department_ids=co,
        escalate=a.escalate,
    )
    day_id = ctx.day_id(a.day)
    at = ctx.moment(a.at)
    # one transaction: a refused record leaves the batch where it was, not half-called into its room
    with ctx.db.session() as session:
        batch = _batch(session, day_id, a.reg_no)
        if batch.status != BatchStatus.IN_SESSION.value:
            start_session_in(session, batch, ctx.actor, at)
        case = record_case_in(session, batch, data, ctx.actor, at)
        earlier = session.get(Case, case.repeat_of_case_id) if case.repeat_of_case_id else None
        result = {
            "case_no": case.case_no,
            "due_date": case.due_date.isoformat() if case.due_date else None,
            "repeat_of": earlier.case_no if earlier else None,
            "escalated": bool(case.escalated),
        }
    if a.json:
        _dump(result)
        return EXIT_OK
    line = f"已记录案件 {result['case_no']}"
    if result["due_date"]:
        line += f"，反馈期限 {result['due_date']}"
    if result["repeat_of"]:
        line += f"；重复访，原案件 {result['repeat_of']}"
    if result["escalated"]:
        line += "；已提级核查"
    print(line + "。")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ the case's life


def _step_done(ctx: Context, case_no: str, step: str) -> None:
    from reception_desk.domain.case_life import CaseStatus
    from reception_desk.services.case_life import find_case_id
    from reception_desk.services.cases import case_detail

    detail = case_detail(ctx.db, find_case_id(ctx.db, case_no))
    print(f"案件 {detail.case_no}：{step}，当前状态：{CaseStatus(detail.status).label}。")


@_refusals
def cmd_case_step(ctx: Context) -> int:
    """sign, reply, close, followup, extend, supervise, escalate: one service step each."""
    from reception_desk.domain.case_life import parse_method, parse_rating, parse_yes_no
    from reception_desk.services import case_life

    a = ctx.args
    step: str = a.case_command
    case_id = case_life.find_case_id(ctx.db, a.case_no)
    at = ctx.moment(getattr(a, "at", None))
    try:
        if step == "sign":
            case_life.sign_case(ctx.db, case_id, a.by, ctx.actor, at)
            done = f"已由 {a.by.strip()} 签收"
        elif step == "reply":
            case_life.add_feedback(ctx.db, case_id, a.text, a.by, ctx.actor, at)
            done = "已登记反馈"
        elif step == "close":
            resolved = parse_yes_no(a.resolved)
            case_life.close_case(ctx.db, case_id, resolved, ctx.actor, at, a.text)
            done = "已办结（已化解）" if resolved else "已办结（未化解）"
        elif step == "followup":
            rating, method = parse_rating(a.rating), parse_method(a.method)
            case_life.follow_up(ctx.db, case_id, rating, ctx.actor, method, a.text, at)
            done = f"已回访：{a.rating.strip()}"
        elif step == "extend":
            case_life.extend_case(ctx.db, case_id, a.to_date, a.reason, ctx.actor, a.approved_by, at)
            done = f"期限已延至 {a.to_date}"
        elif step == "supervise":
            case_life.supervise_case(ctx.db, case_id, a.reason, ctx.actor, a.until, at)
            done = "已挂牌督办"
        else:
            case_life.escalate_case(ctx.db, case_id, ctx.actor, a.reason, at)
            done = "已提级核查"
    except ValueError as exc:  # a rating, method or yes/no word the domain does not know
        raise InvalidInputError(str(exc)) from exc
    _step_done(ctx, a.case_no, done)
    return EXIT_OK


def case_json(ctx: Context, case_no: str) -> dict[str, Any]:
    """`case show --json`: the case's fields and its events in time order."""
    from sqlalchemy import select

    from reception_desk.db.models import Batch, Case, Theme
    from reception_desk.services.case_life import case_events, find_case_id
    from reception_desk.services.cases import case_detail

    case_id = find_case_id(ctx.db, case_no)
    d = case_detail(ctx.db, case_id)
    with ctx.db.read() as session:
        theme = session.scalar(
            select(Theme.name)
            .join(Batch, Batch.theme_id == Theme.id)
            .join(Case, Case.batch_id == Batch.id)
            .where(Case.id == case_id)
        )
    events = case_events(ctx.db, case_id)
    overdue = d.outcome == "handed_over" and d.status != "closed" and d.due_date is not None and d.due_date < ctx.today
    return {
        "case_no": d.case_no,
        "reg_no": d.reg_no,
        "name": d.visitor_name,
        "day": d.day_date.isoformat(),
        "room": d.room_number,
        "theme": theme or "",
        "request": d.request,
        "instruction": d.instruction,
        "outcome": d.outcome,
        "outcome_label": d.outcome_label,
        "colour": d.colour,
        "department": d.lead_department,
        "co_departments": list(d.co_departments),
        "due_date": d.due_date.isoformat() if d.due_date else None,
        "original_due_date": d.original_due_date.isoformat() if d.original_due_date else None,
        "status": d.status,
        "overdue": overdue,
        "recorded_at": _iso(d.recorded_at),
        "recorded_by": d.recorded_by,
        "signed_at": _iso(d.signed_at),
        "signed_by": d.signed_by or None,
        "closed_at": _iso(d.closed_at),
        "resolved": d.resolved,
        "rating": d.satisfaction,
        "supervised": d.supervised,
        "supervision_reason": d.supervision_reason or None,
        "supervision_until": d.supervision_until.isoformat() if d.supervision_until else None,
        "escalated": d.escalated,
        "repeat_of": d.repeat_of_case_no or None,
        "events": [{"kind": e.kind, "at": _iso(e.at), "by": e.by, "text": e.text} for e in events],
    }


@_refusals
def cmd_case_show(ctx: Context) -> int:
    """The case and its history: JSON for scripts, a readable Chinese view otherwise."""
    from reception_desk.domain.case_life import EVENT_KINDS, RATINGS, CaseStatus
    from reception_desk.domain.deadlines import Colour

    data = case_json(ctx, ctx.args.case_no)
    if ctx.args.json:
        _dump(data)
        return EXIT_OK
    due = data["due_date"] or "—"
    if data["original_due_date"] and data["original_due_date"] != data["due_date"]:
        due += f"（原期限 {data['original_due_date']}，已延期）"
    if data["overdue"]:
        due += "  【已逾期】"
    resolved = {True: "已化解", False: "未化解", None: "—"}[data["resolved"]]
    lines = [
        f"案件编号：{data['case_no']}" + ("  【挂牌督办】" if data["supervised"] else ""),
        f"接访日：{data['day']}    接待室：{data['room'] or '—'}    登记号：{data['reg_no']}",
        f"来访人：{data['name']}    问题类别：{data['theme'] or '—'}",
        f"反映问题：{data['request']}",
        f"领导批示：{data['instruction'] or '—'}",
        f"处理结果：{data['outcome_label']}    颜色分类：{Colour(data['colour']).label if data['colour'] else '—'}",
        f"主办单位：{data['department'] or '—'}    协办单位：{'、'.join(data['co_departments']) or '—'}",
        f"办理期限：{due}",
        f"状态：{CaseStatus(data['status']).label}    化解：{resolved}    "
        f"回访结果：{RATINGS.get(data['rating'] or '', '—')}",
    ]
    if data["supervised"]:
        until = f"（督办期限 {data['supervision_until']}）" if data["supervision_until"] else ""
        lines.append(f"督办理由：{data['supervision_reason'] or '—'}{until}")
    if data["repeat_of"]:
        lines.append(f"重复访：原案件 {data['repeat_of']}" + ("，已提级核查" if data["escalated"] else ""))
    lines.append("办理经过：")
    if not data["events"]:
        lines.append("  （暂无）")
    for e in data["events"]:
        when = e["at"][:16].replace("T", " ")
        who = f"  {e['by']}" if e["by"] else ""
        text = f"：{e['text']}" if e["text"] else ""
        lines.append(f"  {when}  {EVENT_KINDS.get(e['kind'], e['kind'])}{who}{text}")
    print("\n".join(lines))
    return EXIT_OK


COMMAND_STEPS: dict[str, Callable[[Context], int]] = {
    "record": cmd_case_record,
    "show": cmd_case_show,
}


def cmd_case(ctx: Context) -> int:
    """`case ACTION`: record, a step of the case's life, or show."""
    return COMMAND_STEPS.get(ctx.args.case_command, cmd_case_step)(ctx)


# ------------------------------------------------------------------------------------------------ lists, figures


@_refusals
def cmd_cases(ctx: Context) -> int:
    """Cases of a day (the nearest by default) or of all days, most urgent first, as of --today."""
    from reception_desk.services.print_data import find_department
    from reception_desk.services.tracking import TrackingFilter, tracked_cases

    a = ctx.args
    day_id = None if a.all_days else ctx.day_id(a.day)
    dept = find_department(ctx.db, a.department).id if a.department else None
    f = TrackingFilter(status=a.status or "all", day_id=day_id, department_id=dept)
    rows, total = tracked_cases(ctx.db, ctx.today, f)
    if a.json:
        _dump([r.to_json() for r in rows])
        return EXIT_OK
    print("\t".join(("案件编号", "来访人", "接待室", "处理结果", "主办单位", "期限", "状态", "紧急程度", "标记")))
    from reception_desk.services.cases import OUTCOME_LABELS

    for r in rows:
        marks = [m for m, on in (("督办", r.supervised), ("重复访", bool(r.repeat_of)), ("提级", r.escalated)) if on]
        print(
            f"{r.case_no}\t{r.visitor_name}\t{r.room_number or '-'}\t{OUTCOME_LABELS.get(r.outcome, r.outcome)}\t"
            f"{r.department or '-'}\t{r.due_date or '-'}\t{r.status_label}\t{r.urgency_label}\t{'、'.join(marks)}"
        )
    print(f"共 {total} 件（截至 {ctx.today}）")
    return EXIT_OK


METRIC_ROWS = (
    ("cases", "案件总数"),
    ("handed_over", "交办"),
    ("resolved_on_spot", "当场解决"),
    ("explained", "解释说明"),
    ("open", "未办结"),
    ("closed", "已办结"),
    ("closed_on_time", "按期办结"),
    ("overdue", "逾期未办结"),
    ("rated", "参评"),
    ("satisfied", "满意及基本满意"),
    ("resolved", "化解"),
    ("supervised", "挂牌督办"),
    ("repeat_visits", "重复访"),
)
RATE_ROWS = (
    ("on_time_rate", "按期办结率"),
    ("participation_rate", "参评率"),
    ("satisfaction_rate", "满意率"),
    ("resolution_rate", "化解率"),
)


@_refusals
def cmd_metrics(ctx: Context) -> int:
    """The office's figures for a day, a range or all time, as of --today."""
    from reception_desk.domain.figures import rate_text
    from reception_desk.services.metrics import GROUPS as GROUP_LABELS
    from reception_desk.services.metrics import metrics

    a = ctx.args
    if a.day is not None and (a.day_from is not None or a.day_to is not None):
        raise InvalidInputError("--day 不能与 --from/--to 同时使用。")
    day_from, day_to = a.day_from, a.day_to
    if a.day is not None:
        ctx.day_id(a.day)  # an unknown day is refused, not reported as zeros
        day_from = day_to = a.day
    report = metrics(ctx.db, ctx.today, day_from, day_to, a.by)
    if a.json:
        _dump(report.to_json())
        return EXIT_OK
    period = "全部" if day_from is None and day_to is None else f"{day_from or '最早'} 至 {day_to or '最近'}"
    if a.day is not None:
        period = f"{a.day} 接访日"
    print(f"统计范围：{period}    截至：{ctx.today}")
    total = report.total.to_json()
    for key, label in RATE_ROWS:
        print(f"{label}\t{rate_text(total[key])}")
    for key, label in METRIC_ROWS:
        print(f"{label}\t{total[key]}")
    if report.by:
        print()
        print("\t".join((GROUP_LABELS[report.by], "案件", "交办", "逾期", *(label for _, label in RATE_ROWS))))
        for name, fig in report.groups:
            rates = (rate_text(getattr(fig, key)) for key, _ in RATE_ROWS)
            print("\t".join((name, str(fig.cases), str(fig.handed_over), str(fig.overdue), *rates)))
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ calendar, export


@_refusals
def cmd_calendar(ctx: Context) -> int:
    """`calendar show YEAR` lists the year's holidays and make-up working days; `calendar set` changes one."""
    from reception_desk.services.holiday_calendar import parse_kind, set_calendar_day, year_schedule

    a = ctx.args
    if a.calendar_command == "set":
        kind = parse_kind(a.kind)
        set_calendar_day(ctx.db, a.date, kind, a.note, ctx.actor)
        word = "放假" if kind == "holiday" else "工作日"
        print(f"已将 {a.date} 设为{word}" + (f"（{a.note.strip()}）" if a.note.strip() else "") + "。")
        return EXIT_OK
    if not 1900 <= a.year <= 2999:
        raise InvalidInputError(f"年份不对：{a.year}")
    schedule = year_schedule(ctx.db, a.year)
    if a.json:
        _dump(
            {
                "year": schedule.year,
                "scheduled": schedule.scheduled,
                "source": schedule.source or None,
                "warning": schedule.warning or None,
                "workdays": schedule.workdays,
                "days": [
                    {"date": e.date.isoformat(), "kind": e.kind, "note": e.note, "source": e.source}
                    for e in schedule.entries
                ],
            }
        )
        return EXIT_OK
    source = {"package": "节假日数据包", "office": "本单位录入"}.get(schedule.source, "")
    print(f"{schedule.year}年：工作日 {schedule.workdays} 天" + (f"（来源：{source}）" if source else ""))
    if schedule.warning:
        print(f"警告：{schedule.warning}")
    for e in schedule.entries:
        print(f"{e.date}  {e.kind_label}  {e.note}")
    return EXIT_OK


@_refusals
def cmd_export_cases(ctx: Context) -> int:
    """`export cases FILE.xlsx`: every case of all days (or --day) with its history columns."""
    from reception_desk.services.case_export import export_cases

    a = ctx.args
    path: Path = a.file
    if path.suffix.lower() != ".xlsx":
        raise UnusableInputError(f"不支持的导出格式“{path.suffix}”，案件台账请导出为 .xlsx。")
    if a.reveal_reason is not None and not a.reveal_reason.strip():
        raise InvalidInputError("--reveal-reason 须写明导出完整号码的原因。")
    day_id = ctx.day_id(a.day) if a.day is not None else None
    n = export_cases(ctx.db, path, day_id, actor=ctx.actor, reveal_reason=a.reveal_reason or "")
    ctx.out("exported_unmasked" if a.reveal_reason else "exported", rows=n, file=path)
    return EXIT_OK


COMMANDS: dict[str, Callable[[Context], int]] = {
    "checkin": cmd_checkin,
    "case": cmd_case,
    "cases": cmd_cases,
    "metrics": cmd_metrics,
    "calendar": cmd_calendar,
}
