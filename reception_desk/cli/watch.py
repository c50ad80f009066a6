"""`reception-desk watch [--json]`: every committed write as it arrives, one line each, until Ctrl+C (exit 0).

On PostgreSQL the lines come from NOTIFY (within milliseconds of the commit), on SQLite from polling the audit
log. With --json a line is {"kind_ids": {"batches": [..], ...}, "by": user, "at": ISO time, "full": bool};
`full` true means: reload everything (a bulk write, or the feed reconnected after a drop).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from reception_desk.services.changes import KINDS

if TYPE_CHECKING:
    from reception_desk.cli.main import Context
    from reception_desk.services.change_feed import FeedEvent

KIND_WORDS = {
    "days": "接访日",
    "rooms": "接待室",
    "batches": "批次",
    "visitors": "来访人",
    "cases": "信访事项",
    "departments": "单位",
    "users": "用户",
}


def add_parser(sub: Any) -> None:
    """The `watch` subcommand."""
    watch = sub.add_parser("watch", help="实时显示各台电脑提交的修改（每条一行，Ctrl+C 结束）")
    watch.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="数据库（同全局选项 --db）")
    watch.add_argument("--json", action="store_true", help="每条修改输出一行 JSON")


def _line(event: FeedEvent, as_json: bool) -> str:
    data = event.to_json()
    if as_json:
        return json.dumps(data, ensure_ascii=False)
    if data["full"]:
        what = "全部（请整体刷新）"
    else:
        ids = data["kind_ids"]
        what = "；".join(f"{KIND_WORDS[k]} {', '.join(map(str, ids[k]))}" for k in KINDS if k in ids)
    return f"{data['at'] or ''}  {data['by'] or '-'}  {what}"


def cmd_watch(ctx: Context) -> int:
    """Print change-sets until interrupted."""
    from reception_desk.services.change_feed import follow

    def on_state(connected: bool) -> None:
        print("[提示] 已重新连接数据库" if connected else "[提示] 与数据库的连接中断，正在重新连接…", file=sys.stderr)

    try:
        for event in follow(ctx.db, on_state=on_state):
            print(_line(event, ctx.args.json), flush=True)
    except KeyboardInterrupt:
        pass
    return 0
