"""`reception-desk retention`: the 数据保留 policy, and pseudonymising the people whose cases closed long ago.

    reception-desk retention policy [--years N] [--keep-hashes yes|no] [--json]
    reception-desk retention apply [--dry-run] [--json] [--today YYYY-MM-DD]

Both change the database only as an admin (or in 单机模式); a refusal exits 3 like every command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reception_desk.cli.main import Context

EXIT_OK = 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in {"yes", "y", "1", "true", "是"}:
        return True
    if value in {"no", "n", "0", "false", "否"}:
        return False
    raise argparse.ArgumentTypeError(f"应为 yes 或 no：{text}")


def add_parsers(sub: Any) -> None:
    """Add `retention` to the top-level sub-parsers."""
    p = sub.add_parser("retention", help="数据保留：结案满 N 年后来访人的个人信息化名处理（管理员）")
    actions = p.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    pol = actions.add_parser("policy", help="查看或修改保留规则（不带选项时只查看）")
    pol.add_argument("--years", type=int, default=None, metavar="N", help="结案后保留 N 年（0 表示永久保留，不做处理）")
    pol.add_argument(
        "--keep-hashes",
        type=_yes_no,
        default=None,
        metavar="yes|no",
        help="化名后是否保留身份证号和电话的校验值（用于识别重复访，不能还原号码）",
    )
    pol.add_argument("--json", action="store_true")
    run = actions.add_parser("apply", help="按保留规则处理到期人员（--dry-run 只统计，不修改）")
    run.add_argument("--dry-run", action="store_true", help="只统计将被处理的人数，不修改数据")
    run.add_argument("--json", action="store_true")
    # SUPPRESS keeps a global --today given before the subcommand
    run.add_argument(
        "--today", type=_date, default=argparse.SUPPRESS, metavar="DATE", help="按此日期计算到期（默认今天）"
    )


def cmd_retention(ctx: Context) -> int:
    """Show or set the policy, or run it."""
    from reception_desk.errors import UnusableInputError
    from reception_desk.services import retention

    a, zh = ctx.args, ctx.lang != "en"
    if a.retention_command == "policy":
        current = retention.policy(ctx.db)
        if a.years is not None and not 0 <= a.years <= retention.MAX_YEARS:
            raise UnusableInputError(f"保留年限应为 0 到 {retention.MAX_YEARS} 年（0 表示永久保留）：{a.years}")
        if a.years is not None or a.keep_hashes is not None:
            current = retention.set_policy(
                ctx.db,
                ctx.actor,
                current.years if a.years is None else a.years,
                current.keep_hashes if a.keep_hashes is None else a.keep_hashes,
            )
        if a.json:
            print(json.dumps(current.to_json(), ensure_ascii=False))
        elif not current.enabled:
            print("保留规则：永久保留（不做化名处理）。" if zh else "Retention: kept for good (nothing is erased).")
        else:
            hashes = (
                ("保留" if current.keep_hashes else "不保留") if zh else ("kept" if current.keep_hashes else "removed")
            )
            print(
                f"保留规则：结案满 {current.years} 年后，来访人的个人信息化名处理；号码校验值{hashes}。"
                if zh
                else f"Retention: personal data is pseudonymised {current.years} years after the case closed; "
                f"hashes {hashes}."
            )
        return EXIT_OK
    result = retention.apply(ctx.db, ctx.actor, today=ctx.today, dry_run=a.dry_run)
    if a.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return EXIT_OK
    if result.cutoff is None:
        print("保留规则为永久保留，未处理任何人员。" if zh else "The policy keeps everything: nobody was erased.")
    elif result.dry_run:
        print(
            f"试运行：{result.cutoff} 之前结案的 {result.people} 人"
            f"（{result.batches} 批，{result.cases} 件）将被化名处理。"
            if zh
            else f"Dry run: {result.people} people ({result.batches} batches, {result.cases} cases) closed before "
            f"{result.cutoff} would be pseudonymised."
        )
    else:
        print(
            f"已化名处理 {result.people} 人（{result.batches} 批，{result.cases} 件，{result.cutoff} 之前结案）；"
            "案件和统计数据不变。"
            if zh
            else f"Pseudonymised {result.people} people ({result.batches} batches, {result.cases} cases closed "
            f"before {result.cutoff}); cases and figures are unchanged."
        )
    return EXIT_OK


COMMANDS: dict[str, Callable[[Context], int]] = {"retention": cmd_retention}
