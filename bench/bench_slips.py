"""Benchmark: handover slips (交办单). Target ≥300 slips/s for 500 slips into one PDF.

Measures, in one run:
1. 500 slips into one PDF with HandoverSlipRenderer (distinct case numbers, so every QR code is encoded);
2. the demo day's `reception-desk print slips --all` as a whole process (interpreter start-up included);
3. for reference, a plain platypus renderer of the same slip (Paragraphs in a Table, ReportLab's QrCodeWidget).

.venv/bin/python -m bench.bench_slips [--slips 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.domain import resident_id
from reception_desk.printing import HandoverSlipRenderer
from reception_desk.printing.common import deadline_text, full_phone
from reception_desk.printing.fonts import fonts
from reception_desk.printing.qr import encode
from reception_desk.printing.styles import COLOUR_FILL, styles
from reception_desk.services import days, print_data
from reception_desk.services.cases import CaseDetail
from reception_desk.services.demo import create_demo_day


def _demo(folder: Path) -> tuple[str, list[CaseDetail]]:
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    create_demo_day(db, seed=2006)
    handed = print_data.day_cases(db, days.find_day(db).id)
    db.dispose()
    return url, handed


def _many(cases: Sequence[CaseDetail], n: int) -> list[CaseDetail]:
    """n slips cycling through the demo's cases, each with its own case number (and so its own QR code)."""
    out = []
    for i in range(n):
        case = cases[i % len(cases)]
        number = f"JF-{case.day_date:%Y%m%d}-{i % 15 + 1:02d}-{i // 15 + 1:03d}"
        out.append(dataclasses.replace(case, case_no=number, case_id=i + 1))
    return out


def _timed(fn: Callable[[], object], runs: int, before: Callable[[], None] = lambda: None) -> list[float]:
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


# ---------------------------------------------------------------------------------------------- reference


def _platypus_slip(case: CaseDetail) -> list[Flowable]:
    f, st = fonts(), styles()

    def p(text: str) -> Paragraph:
        return Paragraph(f.markup(text), st.cell)

    qr = QrCodeWidget(case.case_no)
    x0, y0, x1, y1 = qr.getBounds()
    side = 22 * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(qr)
    rows: list[list[Any]] = [
        [p("案件编号"), p(case.case_no), p("登记号"), p(case.reg_no)],
        [p("接待室"), p(case.room_name), p("接待领导"), p(case.host)],
        [p("来访人"), p(case.visitor_name), p("来访人数"), p(f"{case.headcount} 人")],
        [p("身份证号"), p(resident_id.mask(case.id_number)), p("联系电话"), p(full_phone(case.phone))],
        [p("乡镇（街道）"), p(case.township), p("村（社区）"), p(case.village)],
        [p("反映问题"), p(case.request), "", ""],
        [p("领导意见"), p(case.instruction), "", ""],
        [p("处理结果"), p(case.outcome_label), p("主办单位"), p(case.lead_department)],
        [p("协办单位"), p("、".join(case.co_departments) or "无"), "", ""],
        [p("办理时限"), p(deadline_text(case)), "", ""],
        [p("交办人（签字）："), p("签收人（签字）："), p("签收时间："), ""],
    ]
    table = Table(rows, colWidths=[26 * mm, 61 * mm, 26 * mm, 61 * mm])
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("SPAN", (1, 5), (3, 5)),
            ("SPAN", (1, 6), (3, 6)),
            ("SPAN", (1, 8), (3, 8)),
            ("SPAN", (1, 9), (3, 9)),
            ("BACKGROUND", (1, 9), (3, 9), COLOUR_FILL.get(case.colour or "", colors.white)),
        ]
    )
    table.setStyle(style)
    return [
        Paragraph(f.markup(case.day_title), st.subtitle),
        Paragraph("交　办　单", st.title),
        drawing,
        Paragraph(f.markup(f"接访日期：{case.day_date}　接访地点：{case.venue}"), st.body),
        Spacer(1, 3 * mm),
        table,
        PageBreak(),
    ]


def _platypus(cases: Sequence[CaseDetail]) -> None:
    story: list[Flowable] = []
    for case in cases:
        story += _platypus_slip(case)
    SimpleDocTemplate(io.BytesIO(), pagesize=A4).build(story)


# ---------------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slips", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    fonts()
    print(f"font registration (once per process): {(time.perf_counter() - start) * 1000:.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, handed = _demo(folder)
        cases = _many(handed, args.slips)
        renderer = HandoverSlipRenderer()
        renderer.render(cases[:20], io.BytesIO())  # warm the glyph caches as a real run's first slips would

        out = folder / "slips.pdf"
        times = _timed(lambda: renderer.render(cases, out), args.runs, before=encode.cache_clear)
        best, median = min(times), statistics.median(times)
        size = out.stat().st_size
        print(
            f"HandoverSlipRenderer: {args.slips} slips in {median:.2f} s (median of {args.runs}; best {best:.2f} s)"
            f" = {args.slips / median:.0f} slips/s; {size / 1024:.0f} KiB, {size / args.slips / 1024:.1f} KiB/slip"
        )

        cli = [sys.executable, "-m", "reception_desk.cli.main", "--db", url, "print", "slips", "--all"]
        cli_times = _timed(
            lambda: subprocess.run([*cli, "--out", str(folder / "cli.pdf")], check=True, capture_output=True),
            args.runs,
        )
        bare = _timed(
            lambda: subprocess.run([sys.executable, "-c", "import reception_desk.cli.main"], check=True),
            args.runs,
        )
        print(
            f"`reception-desk print slips --all` on the demo day ({len(handed)} slips), whole process: "
            f"{statistics.median(cli_times):.2f} s (best {min(cli_times):.2f} s; "
            f"interpreter + CLI import alone {statistics.median(bare):.2f} s)"
        )

        reference = cases[: min(len(cases), 100)]
        ref_times = _timed(lambda: _platypus(reference), 1)
        print(
            f"reference plain platypus slip (Paragraphs in a Table, QrCodeWidget): {len(reference)} slips in "
            f"{ref_times[0]:.2f} s = {len(reference) / ref_times[0]:.0f} slips/s"
        )


if __name__ == "__main__":
    main()
