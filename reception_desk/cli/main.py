"""`reception-desk`: global options --db and --lang, then a subcommand. Without one it prints help."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reception_desk.cli import after_day, audit_cmd, backup_cmd, retention_cmd, users_cmd, watch
from reception_desk.cli.argparse_text import argparse_language, language_of
from reception_desk.cli.text import say
from reception_desk.db import ENV_VAR, data_dir
from reception_desk.domain import office_time
from reception_desk.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    UnusableInputError,
)

if TYPE_CHECKING:
    from reception_desk.printing import RenderResult

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
LOG_FILE = "reception-desk.log"
log = logging.getLogger("reception_desk")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def version() -> str:
    """The installed package's version (its metadata), or the source's when running from a bare checkout."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("reception-desk")
    except PackageNotFoundError:
        from reception_desk import __version__

        return __version__


class _VersionAction(argparse.Action):
    """--version: print "reception-desk <version>" and exit; the metadata is read only then (~13 ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"reception-desk {version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The command line grammar."""
    p = argparse.ArgumentParser(prog="reception-desk", description="接访台 Reception Desk：领导下访接访日")
    p.add_argument("--version", action=_VersionAction, help="显示版本号并退出")
    p.add_argument("--db", metavar="URL", help=f"数据库：SQLite 文件或 postgresql:// URL（或环境变量 {ENV_VAR}）")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="界面语言 zh（默认）或 en")
    p.add_argument(
        "--user",
        default=None,
        help="用户：有用户的数据库以此登录（或环境变量 RECEPTION_DESK_USER，"
        "密码取自 RECEPTION_DESK_PASSWORD 或提示输入）；单机模式下只记入审计日志，默认为当前系统用户",
    )
    p.add_argument("--quit-when-ready", action="store_true", help="数据加载并绘制后退出（冒烟测试）")
    p.add_argument("--day", dest="gui_day", type=_date, default=None, help="图形界面打开的接访日（默认最近的一天）")
    p.add_argument("--today", type=_date, default=None, metavar="DATE", help="按此日期工作（统计、逾期），默认今天")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="生成一个完整的演示接访日（下午时段的状态）")
    demo.add_argument("--seed", type=int, default=2006)
    demo.add_argument("--date", type=_date, default=None, help="接访日日期，默认今天")

    day = sub.add_parser("day", help="接访日")
    day_sub = day.add_subparsers(dest="day_command", metavar="ACTION", required=True)
    create = day_sub.add_parser("create", help="创建接访日（含默认 15 个接待室）")
    create.add_argument("--date", type=_date, required=True)
    create.add_argument("--title", default="区领导下访接访日")
    create.add_argument("--venue", default="")
    create.add_argument("--leaders", default="")
    day_sub.add_parser("list", help="列出接访日")

    imp = sub.add_parser("import", help="导入预登记名单（.xlsx / .csv）")
    imp.add_argument("file", type=Path)
    imp.add_argument("--day", type=_date)
    imp.add_argument("--json", action="store_true")

    assign = sub.add_parser("assign", help="为未分配的批次自动分配接待室")
    assign.add_argument("--day", type=_date)
    assign.add_argument("--json", action="store_true")

    regs = sub.add_parser("registrations", help="列出预登记批次")
    regs.add_argument("--day", type=_date)
    regs.add_argument("--json", action="store_true")

    move = sub.add_parser("move", help="手工调整批次的接待室（需填写原因）")
    move.add_argument("reg_no")
    move.add_argument("room", type=int)
    move.add_argument("--reason", required=True)
    move.add_argument("--day", type=_date)

    export = sub.add_parser("export", help="导出")
    export_sub = export.add_subparsers(dest="export_what", metavar="WHAT", required=True)
    exp_regs = export_sub.add_parser("registrations", help="导出预登记名单到 .xlsx 或 .csv")
    exp_regs.add_argument("file", type=Path)
    exp_regs.add_argument("--day", type=_date)
    exp_regs.add_argument(
        "--reveal-reason", metavar="TEXT", help="导出完整的身份证号和电话（仅管理员，须写明原因，记入操作日志）"
    )
    after_day.add_parsers(sub, export_sub)
    audit_cmd.add_parsers(sub)
    users_cmd.add_parsers(sub)
    retention_cmd.add_parsers(sub)
    watch.add_parser(sub)

    dbp = sub.add_parser("db", help="数据库维护")
    db_sub = dbp.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="把数据库结构升级到最新（SQLite 先备份）")

    backup = sub.add_parser("backup", help="备份整个数据库到一个加密文件（默认用数据密钥，或用口令）")
    backup.add_argument("file", type=Path)
    backup.add_argument("--force", action="store_true", help="覆盖已有文件")
    backup_cmd.add_backup_arguments(backup)
    backup_cmd.add_parsers(sub)

    prn = sub.add_parser(
        "print", help="打印 PDF：交办单、回执、交办清单、安排表、预登记名单、当日汇总、简报、催办单、统计表"
    )
    prn.add_argument(
        "what",
        choices=("slips", "receipts", "handover", "schedule", "list", "summary", "bulletin", "reminders", "report"),
        help="slips 交办单 | receipts 受理回执单 | handover 交办清单 | schedule 接待室安排表 | list 预登记名单 "
        "| summary 当日接访情况汇总 | bulletin 接访日简报 | reminders 催办单（默认全部逾期案件） "
        "| report 接访案件办理情况统计表（默认本月）",
    )
    prn.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="输出的 PDF 文件")
    prn.add_argument("--case", action="append", default=[], metavar="NO", help="案件编号（可重复）")
    prn.add_argument("--department", metavar="NAME", help="责任单位（交办单、回执、交办清单）")
    prn.add_argument("--room", type=int, metavar="N", help="接待室编号（交办单、回执、接待室安排表）")
    prn.add_argument("--all", action="store_true", help="当日全部交办案件（交办单、回执）")
    prn.add_argument("--day", type=_date, help="接访日，默认最近的一天")
    prn.add_argument("--thermal", action="store_true", help="回执打印为 80 毫米热敏小票")
    prn.add_argument("--from", dest="day_from", type=_date, metavar="DATE", help="统计表的起始接访日期")
    prn.add_argument("--to", dest="day_to", type=_date, metavar="DATE", help="统计表的结束接访日期")

    call = sub.add_parser("callscreen", help="叫号屏：在等候大厅的电视或第二块屏幕上全屏显示各接待室的叫号")
    # --db and --lang also after the subcommand; SUPPRESS keeps a global one given before it
    call.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="数据库（同全局选项 --db）")
    call.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS, help="界面语言 zh（默认）或 en")
    call.add_argument("--day", dest="call_day", type=_date, default=None, metavar="DATE", help="接访日，默认最近的一天")
    call.add_argument(
        "--screen", type=int, default=None, metavar="N", help="在第 N 块屏幕上全屏显示（从 1 数起），默认最后一块"
    )
    return p


class Context:
    """What every command needs: the database (brought to head), language, actor."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.lang: str = args.lang or "zh"
        self.actor: str = args.user or getpass.getuser()
        self.password: str | None = None  # the login's, on a database with users (users_cmd.login)
        self.today: dt.date = getattr(args, "today", None) or office_time.today()
        # SQLAlchemy loads here, not at the top: --help and the GUI's first paint do without it
        from reception_desk.db.engine import Database
        from reception_desk.db.migrate import upgrade_to_head

        self.db = Database(args.db)
        # a restore replaces the database whole: it is not migrated (nor created with a key of its own) first
        self.backup = upgrade_to_head(self.db.engine) if args.command != "restore" else None

    def moment(self, at: str | None) -> dt.datetime:
        """A step's moment, naive UTC: --at (office wall-clock time), else now on --today, else now."""
        if at:
            return office_time.to_utc(after_day.parse_local_time(at))
        if getattr(self.args, "today", None) is not None:
            return office_time.moment_on(self.today)
        return office_time.now_utc()

    def out(self, key: str, **values: object) -> None:
        """Print a message in the chosen language."""
        print(say(self.lang, key, **values))

    def day_id(self, date: dt.date | None, create_if_missing: bool = False) -> int:
        """The day asked for, else the nearest to today; an import may create it."""
        from reception_desk.services import days

        try:
            return days.find_day(self.db, date, today=self.today).id
        except NotFoundError:
            if not create_if_missing:
                raise
            info, _ = days.create_day(self.db, date or self.today, actor=self.actor)
            return info.id


def cmd_demo(ctx: Context) -> int:
    """Create the demo day."""
    from reception_desk.services.demo import create_demo_day
    from reception_desk.services.demo_users import add_demo_users
    from reception_desk.services.registrations import list_registrations

    info = create_demo_day(ctx.db, seed=ctx.args.seed, date=ctx.args.date, actor=ctx.actor)
    add_demo_users(ctx.db, ctx.actor)  # admin, desk1, host1, chief with the password demo (once per database)
    rows = list_registrations(ctx.db, info.id)
    from reception_desk.services.cases import list_cases

    ctx.out(
        "demo_created",
        date=info.date,
        batches=len(rows),
        people=sum(r.headcount for r in rows),
        cases=len(list_cases(ctx.db, info.id)),
        db=ctx.db.engine.url.render_as_string(hide_password=True),
    )
    ctx.out("demo_users")
    return EXIT_OK


def cmd_day(ctx: Context) -> int:
    """Create or list days."""
    from reception_desk.services import days

    if ctx.args.day_command == "create":
        info, _ = days.create_day(
            ctx.db,
            ctx.args.date,
            ctx.args.title,
            ctx.args.venue or days.DEFAULT_VENUE,
            ctx.args.leaders,
            actor=ctx.actor,
        )
        ctx.out("day_created", date=info.date, title=info.title)
    else:
        for d in days.list_days(ctx.db):
            print(f"{d.date}  {d.title}  {d.venue}  {d.leaders}")
    return EXIT_OK


def cmd_import(ctx: Context) -> int:
    """Import a pre-registration spreadsheet."""
    from reception_desk.services.importing import import_registrations
    from reception_desk.services.importing.reader import check_source

    path: Path = ctx.args.file
    if not path.exists():
        raise UnusableInputError(f"文件不存在：{path}")
    check_source(path)  # a folder or a FIFO is said to be one (and a FIFO is never opened)
    day_id = ctx.day_id(ctx.args.day, create_if_missing=True)
    report = import_registrations(ctx.db, path, day_id, actor=ctx.actor)
    if ctx.args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    for kind, verdicts in (
        ("提示", report.notices),
        ("拒绝", report.rejected),
        ("警告", report.warnings),
        ("重复", report.duplicates),
    ):
        for v in verdicts:
            print(f"第 {v.row} 行 [{kind}] {v.reason}")
    ctx.out(
        "imported",
        imported=report.imported,
        people=report.people,
        warnings=len(report.warnings),
        rejected=len(report.rejected),
        duplicates=len(report.duplicates),
    )
    return EXIT_OK


def cmd_assign(ctx: Context) -> int:
    """Assign rooms."""
    from reception_desk.services.assignment import assign_day

    report = assign_day(ctx.db, ctx.day_id(ctx.args.day), actor=ctx.actor)
    if ctx.args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return EXIT_OK
    ctx.out("assigned", assigned=report.assigned)
    for number, count in sorted(report.rooms.items()):
        print(f"  第{number}接待室: +{count}")
    return EXIT_OK


def cmd_registrations(ctx: Context) -> int:
    """List the day's batches."""
    from reception_desk.domain.batches import BatchStatus, Flag
    from reception_desk.services.registrations import list_registrations

    rows = list_registrations(ctx.db, ctx.day_id(ctx.args.day))
    if ctx.args.json:
        data = [
            {
                "reg_no": r.reg_no,
                "name": r.name,
                "headcount": r.headcount,
                "theme": r.theme_name,
                "room": r.room_number,
                "status": r.status,
                "flags": list(r.flags),
                "queue_number": r.queue_number,
            }
            for r in rows
        ]
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return EXIT_OK
    print("\t".join(say(ctx.lang, "cols").split("|")))
    for r in rows:
        status = BatchStatus(r.status).label if ctx.lang == "zh" else r.status
        flags = ",".join(Flag(f).label if ctx.lang == "zh" else f for f in r.flags)
        print(f"{r.reg_no}\t{r.name}\t{r.headcount}\t{r.theme_name}\t{r.room_number or '-'}\t{status}\t{flags}")
    ctx.out("rows_total", n=len(rows), people=sum(r.headcount for r in rows))
    return EXIT_OK


def cmd_move(ctx: Context) -> int:
    """Move a batch to another room by hand."""
    from reception_desk.services import plan, registrations

    day_id = ctx.day_id(ctx.args.day)
    batch = next((r for r in registrations.list_registrations(ctx.db, day_id) if r.reg_no == ctx.args.reg_no), None)
    if batch is None:
        raise NotFoundError(f"没有登记号为 {ctx.args.reg_no} 的批次。")
    room = next((r for r in plan.list_rooms(ctx.db, day_id) if r.number == ctx.args.room), None)
    if room is None:
        raise NotFoundError(f"没有第{ctx.args.room}接待室。")
    registrations.move_batch(ctx.db, batch.batch_id, room.id, ctx.args.reason, ctx.actor, batch.version)
    from reception_desk.services.board import desk_card

    card = desk_card(ctx.db, batch.batch_id)
    if card.queue_number is None:
        ctx.out("moved", reg_no=batch.reg_no, room=room.number)
    else:  # checked in: it has its new room's next 排队号 (the old ticket is void)
        ctx.out("moved_numbered", reg_no=batch.reg_no, room=room.number, number=card.queue_number)
    return EXIT_OK


def cmd_export(ctx: Context) -> int:
    """Export the registrations."""
    from reception_desk.services import days
    from reception_desk.services.exporting import export_registrations

    if ctx.args.export_what == "cases":
        return after_day.cmd_export_cases(ctx)
    reason = ctx.args.reveal_reason
    if reason is not None and not reason.strip():
        print(say(ctx.lang, "error", msg="--reveal-reason 须写明导出完整号码的原因。"), file=sys.stderr)
        return EXIT_UNUSABLE
    day_id = ctx.day_id(ctx.args.day)
    info = next(d for d in days.list_days(ctx.db) if d.id == day_id)
    n = export_registrations(
        ctx.db,
        day_id,
        ctx.args.file,
        title=f"{info.title}预登记名单（{info.date}）",
        actor=ctx.actor,
        reveal_reason=reason or "",
    )
    ctx.out("exported_unmasked" if reason else "exported", rows=n, file=ctx.args.file)
    return EXIT_OK


def cmd_db(ctx: Context) -> int:
    """The upgrade already ran when the context opened the database; report it."""
    from reception_desk.db.migrate import head_revision

    if ctx.backup is not None:
        ctx.out("backup_before", file=ctx.backup)
    ctx.out("upgraded", rev=head_revision())
    return EXIT_OK


def cmd_backup(ctx: Context) -> int:
    """Back the database up: an encrypted file (cli/backup_cmd.py), or with --plain an SQLite file."""
    return backup_cmd.cmd_backup(ctx)


def cmd_print(ctx: Context) -> int:
    """Print slips, receipts, department bundles, room schedules, the registration list or the day summary."""
    from reception_desk import printing
    from reception_desk.printing.fonts import describe_missing
    from reception_desk.services import print_data

    a, zh = ctx.args, ctx.lang != "en"
    _check_pdf_target(a.out, zh)
    try:
        result: printing.RenderResult
        if a.what in ("bulletin", "reminders", "report"):
            result = _print_after_day(ctx)
        elif a.what in ("slips", "receipts"):
            if a.case:
                cases = print_data.cases_by_number(ctx.db, a.case)
            elif a.all or a.department or a.room is not None:
                day_id = ctx.day_id(a.day)
                dept = print_data.find_department(ctx.db, a.department).id if a.department else None
                if a.room is not None:
                    print_data.find_room(ctx.db, day_id, a.room)
                cases = print_data.day_cases(ctx.db, day_id, room_number=a.room, department_id=dept)
            else:
                raise NotFoundError(
                    "请用 --case、--department、--room 或 --all 指定要打印的案件。"
                    if zh
                    else "Say which cases: --case, --department, --room or --all."
                )
            renderer = printing.HandoverSlipRenderer() if a.what == "slips" else printing.ReceiptRenderer(a.thermal)
            a.out.parent.mkdir(parents=True, exist_ok=True)
            result = renderer.render(cases, a.out)
        else:
            day_id = ctx.day_id(a.day)
            a.out.parent.mkdir(parents=True, exist_ok=True)
            if a.what == "handover":
                dept = print_data.find_department(ctx.db, a.department).id if a.department else None
                bundles = print_data.department_bundles(ctx.db, day_id, dept)
                result = printing.DepartmentBundleRenderer().render(bundles, a.out)
            elif a.what == "schedule":
                rooms = print_data.room_queues(ctx.db, day_id, a.room)
                result = printing.RoomScheduleRenderer().render(rooms, a.out)
            elif a.what == "list":
                listing = print_data.registration_listing(ctx.db, day_id)
                result = printing.RegistrationListRenderer().render(listing, a.out)
            else:
                result = printing.DaySummaryRenderer().render(print_data.day_summary(ctx.db, day_id), a.out)
    except (NotFoundError, InvalidInputError) as exc:  # an unknown case, department or day; a case not to remind
        print(say(ctx.lang, "error", msg=exc), file=sys.stderr)
        return EXIT_UNUSABLE
    if result.missing_glyphs:
        n, names = len(result.missing_glyphs), describe_missing(result.missing_glyphs)
        print(
            f"警告：{n} 个字符没有可用字形，在 PDF 中为空框：{names}"
            if zh
            else f"Warning: no font has a glyph for {n} character(s), printed as boxes: {names}",
            file=sys.stderr,
        )
    print(
        f"已生成 {a.out}：{result.documents} 份，共 {result.pages} 页。"
        if zh
        else f"Wrote {a.out}: {result.documents} document(s), {result.pages} page(s)."
    )
    return EXIT_OK


def _check_pdf_target(out: Path, zh: bool) -> None:
    """`--out` must name a file: a folder (or a path under a file) is refused before anything is read."""
    if out.is_dir():
        raise UnusableInputError(
            f"“{out}”是一个文件夹，--out 请给出 PDF 文件名，例如 {out / 'printout.pdf'}"
            if zh
            else f"{out} is a folder: give --out a PDF file name, e.g. {out / 'printout.pdf'}"
        )
    blocking = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise UnusableInputError(
            f"无法在“{out.parent}”中保存：“{blocking}”是一个文件，不是文件夹。"
            if zh
            else f"Cannot save in {out.parent}: {blocking} is a file, not a folder."
        )


def _print_after_day(ctx: Context) -> RenderResult:
    """接访日简报, 催办单 or the figures report, as of --today (else today in Asia/Shanghai)."""
    from reception_desk import printing
    from reception_desk.services import report_data

    a = ctx.args
    as_of = ctx.today
    if a.what == "bulletin":
        data = report_data.bulletin(ctx.db, ctx.day_id(a.day), as_of)
        a.out.parent.mkdir(parents=True, exist_ok=True)
        return printing.BulletinRenderer().render(data, a.out)
    if a.what == "reminders":
        items = report_data.reminders(ctx.db, as_of, a.case or None, a.department)
        a.out.parent.mkdir(parents=True, exist_ok=True)
        return printing.ReminderRenderer().render(items, a.out)
    if a.day is not None:
        day_from = day_to = a.day
    else:
        day_from = a.day_from or (as_of.replace(day=1) if a.day_to is None else a.day_to.replace(day=1))
        day_to = a.day_to or as_of
    report = report_data.figures_report(ctx.db, day_from, day_to, as_of)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    return printing.FiguresReportRenderer().render(report, a.out)


COMMANDS: dict[str, Callable[[Context], int]] = {
    "demo": cmd_demo,
    "day": cmd_day,
    "import": cmd_import,
    "assign": cmd_assign,
    "registrations": cmd_registrations,
    "move": cmd_move,
    "export": cmd_export,
    "db": cmd_db,
    **backup_cmd.COMMANDS,
    "print": cmd_print,
    **after_day.COMMANDS,
    "audit": audit_cmd.cmd_audit,
    **users_cmd.COMMANDS,
    **retention_cmd.COMMANDS,
    "watch": watch.cmd_watch,
}


def _log_to_file() -> Path:
    from reception_desk.logs import file_handler  # database errors without the rows' personal data

    path = data_dir() / LOG_FILE
    logging.getLogger().addHandler(file_handler(path))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit 0 on success, 2 on unusable input, 3 on a refused login or operation, 1 on other
    failures. Never a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    with argparse_language(language_of(argv)):  # usage:, options:, error: in the language of the command line
        parser = build_parser()
        args = parser.parse_args(argv)
    if args.command is None:
        from reception_desk.ui.app import run_gui

        try:
            return run_gui(
                args.db,
                args.lang,
                args.user or getpass.getuser(),
                args.quit_when_ready,
                args.gui_day,
                login_user=args.user,
            )
        except Exception as exc:  # start-up failed (database unreachable, ...): one line, the detail in the log
            return _internal_error(args.lang or "zh", "gui", exc)
    if args.command == "callscreen":
        from reception_desk.ui.call_screen import run_call_screen

        try:
            return run_call_screen(args.db, args.lang, args.call_day or args.gui_day, args.screen)
        except ServiceError as exc:  # no such day
            print(say(args.lang or "zh", "error", msg=exc), file=sys.stderr)
            return EXIT_UNUSABLE
        except Exception as exc:  # the database unreachable, ...: one line, the detail in the log
            return _internal_error(args.lang or "zh", "callscreen", exc)
    from sqlalchemy.exc import OperationalError

    lang = args.lang or "zh"
    try:
        ctx = Context(args)
        try:
            users_cmd.login(ctx)  # a database with users: who is acting, with his password
            return COMMANDS[args.command](ctx)
        finally:
            ctx.db.dispose()  # close the pooled connections now, not whenever the collector finds the engine
    except BrokenPipeError:
        # the output went to a pager or `head` that stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except UnusableInputError as exc:
        print(say(lang, "error", msg=exc), file=sys.stderr)
        return EXIT_UNUSABLE
    except (AuthenticationError, PermissionDeniedError) as exc:
        print(users_cmd.refusal_line(lang, exc), file=sys.stderr)
        return users_cmd.EXIT_DENIED
    except ServiceError as exc:
        print(say(lang, "error", msg=exc), file=sys.stderr)
        return EXIT_FAILED
    except OperationalError as exc:
        from reception_desk.db.engine import BUSY_MESSAGE, is_busy

        if is_busy(exc):  # locked by another writer past the busy timeout (outside a unit of work)
            print(say(lang, "error", msg=BUSY_MESSAGE), file=sys.stderr)
            return EXIT_FAILED
        print(say(lang, "db_unreachable", msg=str(exc.orig).strip().splitlines()[0]), file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        return _internal_error(lang, args.command, exc)


def _internal_error(lang: str, command: str, exc: Exception) -> int:
    """Log the traceback to the data folder and print one line."""
    log_path = _log_to_file()
    from reception_desk.logs import safe_message

    log.error("command %s failed", command, exc_info=exc)
    first = safe_message(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    print(say(lang, "internal", msg=first, log=log_path), file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
