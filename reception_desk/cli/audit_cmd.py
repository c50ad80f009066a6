"""`reception-desk audit`: the audit log (操作日志) read back, newest first; supervisors and admins only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reception_desk.cli.main import Context

EXIT_OK = 0


def add_parsers(sub: Any) -> None:
    """Add `audit` to the top-level sub-parsers."""
    p = sub.add_parser("audit", help="操作日志：谁在何时做了什么（督办、管理员）")
    p.add_argument("--since", metavar="DATETIME", help="从此时起：YYYY-MM-DD 或 YYYY-MM-DD HH:MM（办公时区）")
    p.add_argument("--until", metavar="DATETIME", help="到此时为止（不含）")
    # dest differs from the global --user (who is acting): this one filters by who did it
    p.add_argument("--user", dest="audit_user", metavar="NAME", help="只看此操作人")
    p.add_argument("--batch", metavar="REG_NO", help="只看此批次（登记号，在 --day 或最近的接访日中）及其人员和案件")
    p.add_argument("--case", metavar="NO", help="只看此信访事项（案件编号）")
    p.add_argument("--entity", metavar="KIND", help="只看此类对象：batch, case, visitor, room, department, app_user …")
    p.add_argument("--action", metavar="ACTION", help="只看此操作：check_in, move, edit …")
    p.add_argument("--day", dest="audit_day", metavar="DATE", help="--batch 的接访日 YYYY-MM-DD")
    p.add_argument("--limit", type=int, default=100, metavar="N", help="最多 N 条（默认 100，最多 1000）")
    p.add_argument(
        "--unmask", action="store_true", help="只看查看完整号码和导出完整号码的记录：谁、看了谁的、为什么（仅管理员）"
    )
    p.add_argument("--json", action="store_true")


def cmd_audit(ctx: Context) -> int:
    """Print the entries, newest first (a JSON array with --json)."""
    import datetime as dt

    from reception_desk.services import audit_log

    a = ctx.args
    if a.unmask:
        return _unmask_events(ctx)
    day_id = None
    if a.batch:
        day_id = ctx.day_id(dt.date.fromisoformat(a.audit_day) if a.audit_day else None)
    filters = audit_log.AuditFilter(
        actor=a.audit_user,
        entity=a.entity,
        action=a.action,
        batch=a.batch,
        case=a.case,
        day_id=day_id,
        since=audit_log.parse_since(a.since) if a.since else None,
        until=audit_log.parse_since(a.until) if a.until else None,
    )
    rows: list[audit_log.AuditRow] = []
    before: int | None = None
    wanted = max(1, a.limit)
    while len(rows) < wanted:
        page = audit_log.list_entries(ctx.db, ctx.actor, filters, before, min(wanted - len(rows), audit_log.MAX_PAGE))
        rows.extend(page.rows)
        if page.next_before_id is None:
            break
        before = page.next_before_id
    if a.json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1))
        return EXIT_OK
    for r in rows:
        change = "；".join(f"{c.label}：{c.before} → {c.after}" for c in r.changes)
        reason = f"（{audit_log.mask_ids(r.reason)}）" if r.reason else ""
        print(f"{r.at_local:%Y-%m-%d %H:%M:%S}\t{r.actor}\t{r.action_label}\t{r.subject}\t{change}{reason}")
    return EXIT_OK


def _unmask_events(ctx: Context) -> int:
    """`audit --unmask`: who saw whose whole ID or phone, and unmasked exports, newest first (admins only)."""
    from reception_desk.services import audit_log, unmask

    a = ctx.args
    since = audit_log.parse_since(a.since) if a.since else None
    events = unmask.unmask_events(ctx.db, ctx.actor, since=since, limit=max(1, a.limit))
    if a.json:
        print(json.dumps([e.to_json() for e in events], ensure_ascii=False, indent=1))
        return EXIT_OK
    for e in events:
        what = unmask.FIELD_LABELS.get(e.field, "身份证号和电话")
        verb = "查看完整" if e.action == unmask.ACTION else "导出完整"
        print(f"{e.at_local:%Y-%m-%d %H:%M:%S}\t{e.actor}\t{verb}{what}\t{e.whom}\t{e.reason}")
    return EXIT_OK
