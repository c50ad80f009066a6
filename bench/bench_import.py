"""Benchmark: import a generated 10,000-row pre-registration workbook into SQLite (and PostgreSQL with --pg).

Usage: .venv/bin/python bench/bench_import.py [--rows 10000] [--pg postgresql://postgres@127.0.0.1:5432/test]
Prints the parse time and the total import time (parsing included) in seconds. Target: ≤ 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
import uuid
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from reception_desk.db.engine import Database, make_engine
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.domain import resident_id
from reception_desk.domain.room_plan import TOWNSHIPS
from reception_desk.services.days import create_day
from reception_desk.services.importing import ImportReport, import_registrations, read_sheet

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文学德永福海林春燕玉金荣新"
VILLAGES = ("破石村", "东岳村", "下张村", "樟潭社区", "前山村", "后畈村", "石塘村", "新村社区")
CATEGORIES = ("土地拆迁", "拆迁", "劳动社保", "环保", "农林水利", "交通", "涉法涉诉", "住建", "教育", "民政", "")
REQUESTS = (
    "反映征地补偿款至今未到位，要求尽快发放",
    "反映企业拖欠工资三个月，要求追讨欠薪",
    "反映村旁养殖场污染严重，异味扰民",
    "反映村干部财务公开不及时，账目不清",
    "反映农田灌溉水渠损坏，影响春耕",
    "反映村道路面破损，出行不便，要求修路",
    "反映法院判决后迟迟未执行",
    "反映小区物业不作为，电梯长期故障",
    "反映孩子入学困难",
    "反映家庭困难，申请低保",
)
HEADER = (
    "序号",
    "来访人姓名",
    "身份证号码",
    "联系电话",
    "来访人数",
    "所属乡镇（街道）",
    "村（社区）",
    "问题类别",
    "反映问题及诉求",
    "同行人员",
)


def person_name(rng: random.Random) -> str:
    """A plausible Chinese name of two or three characters."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def make_workbook(path: Path, rows: int, seed: int = 7) -> None:
    """Write a pre-registration workbook with `rows` data rows (valid IDs, mobile phones, some companions)."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("预登记名单")
    ws.append(["区领导下访接访日预登记名单"])
    ws.append(list(HEADER))
    used: set[str] = set()
    for n in range(1, rows + 1):
        while True:
            born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25_000))
            number = resident_id.make("330803", born, rng.randrange(1000))
            if number not in used:
                used.add(number)
                break
        companions = [person_name(rng) for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))]
        headcount = 1 + len(companions) + rng.choice((0, 0, 0, 2))
        ws.append(
            [
                n,
                person_name(rng),
                number,
                f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                f"{headcount}人",
                rng.choice(TOWNSHIPS),
                rng.choice(VILLAGES),
                rng.choice(CATEGORIES),
                rng.choice(REQUESTS),
                "、".join(companions),
            ]
        )
    wb.save(path)


def run(db: Database, path: Path, label: str) -> ImportReport:
    """Create a day, import the workbook, print the figures."""
    upgrade_to_head(db.engine)
    day, _ = create_day(db, dt.date(2026, 12, 4))
    started = time.perf_counter()
    sheet = read_sheet(path)
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    report = import_registrations(db, path, day.id)
    total = time.perf_counter() - started
    print(
        f"{label}: {len(sheet.rows)} rows; parse {parsed:.2f} s; import total (parse included) {total:.2f} s; "
        f"imported {report.imported} batches, {report.people} people, {len(report.warnings)} warnings"
    )
    return report


def main() -> None:
    """Generate, import, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--pg", help="PostgreSQL URL: also import into a throw-away schema there")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "预登记名单.xlsx"
        started = time.perf_counter()
        make_workbook(path, args.rows)
        print(f"generated {args.rows} rows in {time.perf_counter() - started:.2f} s ({path.stat().st_size} bytes)")
        db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            run(db, path, "SQLite")
        finally:
            db.dispose()
        if args.pg:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = make_engine(args.pg)
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            pg = Database(engine=make_engine(args.pg, connect_args={"options": f"-csearch_path={schema}"}))
            try:
                run(pg, path, "PostgreSQL")
            finally:
                pg.dispose()
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
