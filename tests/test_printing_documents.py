"""The printouts as PDFs: text extracted with pypdf, fonts inspected, QR codes rendered (pdftoppm) and decoded."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from reception_desk.db.engine import Database
from reception_desk.domain import resident_id
from reception_desk.printing import (
    DaySummaryRenderer,
    DepartmentBundleRenderer,
    HandoverSlipRenderer,
    ReceiptRenderer,
    RegistrationListRenderer,
    RenderResult,
    RoomScheduleRenderer,
)
from reception_desk.printing.receipts import THERMAL_W
from reception_desk.services import cases, print_data
from reception_desk.services.cases import CaseDetail
from tests.test_printing_data import EXT_A_NAME, EXT_B_NAME, LONG_REQUEST, PEOPLE, BuiltDay, build_day

ID_PATTERN = re.compile(r"\d{17}[\dXx]")
CASE_NO = re.compile(r"JF-\d{8}-\d{2}-\d{3}")
SUBSET_NAME = re.compile(r"^/[A-Z]{6}\+")
SHIPPED_FACES = {"WenQuanYiMicroHei-0", "ReceptionDeskHanaMinASubset", "ReceptionDeskHanaMinBSubset"}
NO_GLYPH = "\U00030000"  # CJK Extension G: no shipped font has it
PRIVATE_USE = "\ue000"


def pages_text(data: bytes) -> list[str]:
    """The extracted text of every page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text without any whitespace (wrapped lines joined back)."""
    return re.sub(r"\s+", "", text)


def render(renderer: Any, data: Any) -> tuple[bytes, RenderResult]:
    """Render into memory."""
    out = io.BytesIO()
    result = renderer.render(data, out)
    return out.getvalue(), result


def fonts_in(data: bytes) -> dict[str, Any]:
    """Every font a page or a form (the slip's frame) uses, by base font name."""
    found: dict[str, Any] = {}

    def visit(resources: Any) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
        for xobject in resources.get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in PdfReader(io.BytesIO(data)).pages:
        visit(page.get("/Resources"))
    return found


def page_image(data: bytes, page: int, tmp_path: Path, dpi: int = 150) -> Image.Image:
    """One page rendered by poppler's pdftoppm."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(data)
    stem = tmp_path / f"page-{page}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf), str(stem)],
        check=True,
    )
    return Image.open(f"{stem}.png")


def decode_qr(image: Image.Image) -> list[str]:
    """The texts of the QR codes zxing-cpp finds on the image."""
    zxingcpp = pytest.importorskip("zxingcpp")
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.fixture
def built(db: Database) -> BuiltDay:
    """The test day of test_printing_data on this database."""
    return build_day(db)


def detail_of(db: Database, built: BuiltDay, name: str) -> CaseDetail:
    """The case detail of a visitor's case."""
    return cases.case_detail(db, built.cases[name])


def all_documents(db: Database, built: BuiltDay) -> Iterator[tuple[str, bytes, RenderResult]]:
    """Every kind of printout of the test day."""
    handed = print_data.day_cases(db, built.day_id)
    yield ("slips", *render(HandoverSlipRenderer(), handed))
    yield ("receipts", *render(ReceiptRenderer(), handed))
    yield ("thermal", *render(ReceiptRenderer(thermal=True), handed))
    yield ("bundle", *render(DepartmentBundleRenderer(), print_data.department_bundles(db, built.day_id)))
    yield ("schedule", *render(RoomScheduleRenderer(), print_data.room_queues(db, built.day_id)))
    yield ("list", *render(RegistrationListRenderer(), print_data.registration_listing(db, built.day_id)))
    yield ("summary", *render(DaySummaryRenderer(), print_data.day_summary(db, built.day_id)))


# ------------------------------------------------------------------------------------------------ slips


def test_slip_prints_every_field(db: Database, built: BuiltDay) -> None:
    case = detail_of(db, built, EXT_B_NAME)
    data, result = render(HandoverSlipRenderer(), [case])
    assert (result.pages, result.documents, result.missing_glyphs) == (1, 1, frozenset())
    (text,) = pages_text(data)
    person = PEOPLE[0]
    for field in (
        "衢江区领导下访接访日",
        "交　办　单",
        "接访日期：2026年12月4日",
        "接访地点：衢江区工贸职校",
        case.case_no,
        case.reg_no,
        case.room_name,
        EXT_B_NAME,
        "6 人（集体访）",
        resident_id.mask(person.id_number),
        "138****1234",  # masked: the slip leaves with the department, the visitor does not keep it
        person.township,
        person.village,
        "交办",
        "自然资源和规划分局",
        "征收办",
        "黄色 3个工作日内反馈，2026年12月9日前",  # working days: Friday + 3 is the Wednesday
        "交办人（签字）",
        "签收人（签字）",
        "签收时间",
        "0570-3023456",
        "第 1 页 共 1 页",
    ):
        assert field in text, field
    assert flat(person.request) in flat(text)
    assert flat(case.instruction) in flat(text)
    assert person.id_number not in text


def test_a_long_request_continues_and_each_slip_counts_its_own_pages(db: Database, built: BuiltDay) -> None:
    handed = print_data.day_cases(db, built.day_id)
    data, result = render(HandoverSlipRenderer(), handed)
    assert result.documents == 4 and result.pages == 5
    texts = pages_text(data)
    long_case = detail_of(db, built, "王学德")
    first = next(i for i, t in enumerate(texts) if long_case.case_no in t and "交　办　单" in t)
    assert "（续见下页）" in texts[first] and "第 1 页 共 2 页" in texts[first]
    assert "交办单（续页）" in texts[first + 1] and "第 2 页 共 2 页" in texts[first + 1]
    assert long_case.case_no in texts[first + 1]
    page1, page2 = flat(texts[first]), flat(texts[first + 1])
    part1 = page1[page1.index(flat(LONG_REQUEST)[:12]) : page1.index("（续见下页）")]
    part2 = page2[page2.index("（续）") + len("（续）") : page2.index("第2页共2页")]
    assert part1 + part2 == flat(LONG_REQUEST)  # nothing lost or doubled at the page break
    others = [t for i, t in enumerate(texts) if i not in (first, first + 1)]
    assert all("第 1 页 共 1 页" in t for t in others)


# ------------------------------------------------------------------------------------------------ receipts


def test_receipt_prints_every_field(db: Database, built: BuiltDay) -> None:
    case = detail_of(db, built, EXT_A_NAME)
    for thermal in (False, True):
        data, result = render(ReceiptRenderer(thermal=thermal), [case])
        assert result.pages == 1 and not result.missing_glyphs
        (text,) = pages_text(data)
        for field in (
            "受理回执单",
            case.case_no,
            EXT_A_NAME,
            "2026年12月4日",  # the day
            "人力资源和社会保障局",
            "云溪乡",  # co-department
            "2026年12月7日前",  # green: one working day after Friday 12-04 is Monday
            "0570-3023456",
            resident_id.mask(PEOPLE[1].id_number),
        ):
            assert field in text, (thermal, field)
        assert "将于2026年12月7日前向您反馈" in flat(text)


def test_receipt_of_a_case_resolved_on_the_spot_reads_naturally(db: Database, built: BuiltDay) -> None:
    case = detail_of(db, built, PEOPLE[4].name)
    assert case.outcome == "resolved" and case.lead_department == "" and case.due_date is None
    for thermal in (False, True):
        data, _ = render(ReceiptRenderer(thermal=thermal), [case])
        text = flat(pages_text(data)[0])
        assert "办理结果" in text and "当场解决" in text, thermal
        assert "处理意见" in text and "已当场讲解宅基地审批政策。" in text, thermal
        # no deadline and no empty department for a matter settled in the room
        for wrong in ("答复期限", "主办单位：—", "主办：—", "—", "逾期"):
            assert wrong not in text, (thermal, wrong)
        assert "当场解决" in text and "已在接访现场当场解决" in text


def test_thermal_receipt_is_80_mm_wide_and_as_tall_as_its_content(db: Database, built: BuiltDay) -> None:
    handed = print_data.day_cases(db, built.day_id)
    data, result = render(ReceiptRenderer(thermal=True), handed)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == result.pages == 4
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(THERMAL_W, abs=0.01)
        assert 100 * 2.8346 < height < 200 * 2.8346  # fitted: well short of A4
        assert "第 1 页" not in page.extract_text()  # a till receipt carries no page numbers


# ------------------------------------------------------------------------------------------------ all documents


def test_no_resident_id_appears_in_any_printout(db: Database, built: BuiltDay) -> None:
    ids = [p.id_number for p in PEOPLE]
    for kind, data, result in all_documents(db, built):
        assert result.pages >= 1, kind
        for number, text in enumerate(pages_text(data), start=1):
            assert not ID_PATTERN.search(text), (kind, number, ID_PATTERN.search(text))
            assert not any(i in text for i in ids), (kind, number)


def test_every_font_is_embedded_and_subset(db: Database, built: BuiltDay) -> None:
    for kind, data, _ in all_documents(db, built):
        fonts = fonts_in(data)
        assert fonts, kind
        for name, font in fonts.items():
            assert SUBSET_NAME.match(name), (kind, name)
            assert name.split("+", 1)[1] in SHIPPED_FACES, (kind, name)
            assert font["/Subtype"] == "/TrueType", (kind, name)
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, (kind, name)
            assert "/ToUnicode" in font, (kind, name)


def test_names_with_extension_a_and_b_characters_extract_intact(db: Database, built: BuiltDay) -> None:
    for kind, data, result in all_documents(db, built):
        if kind == "summary":
            continue  # counts only, no names
        text = "\n".join(pages_text(data))
        assert EXT_B_NAME in text, kind
        assert EXT_A_NAME in text, kind
        assert not result.missing_glyphs, kind
        faces = {name.split("+", 1)[1] for name in fonts_in(data)}
        assert {"ReceptionDeskHanaMinBSubset", "ReceptionDeskHanaMinASubset"} <= faces, kind


def test_page_counts(db: Database, built: BuiltDay) -> None:
    counts = {kind: (len(PdfReader(io.BytesIO(data)).pages), result) for kind, data, result in all_documents(db, built)}
    assert counts["slips"][0] == counts["slips"][1].pages == 5
    assert counts["receipts"][0] == 4 and counts["thermal"][0] == 4
    # 5 departments with handed-over cases, each a one-page cover, then its slips: 自然资源 1, 征收办 1 + 2 (the
    # long request), 人社局 2, 云溪乡 1, 医保局 1
    assert counts["bundle"][1].documents == 5
    assert counts["bundle"][0] == counts["bundle"][1].pages == 5 + 8
    assert counts["schedule"][0] == counts["schedule"][1].pages == 15
    assert counts["list"][0] == counts["list"][1].pages == 1
    assert counts["summary"][0] == counts["summary"][1].pages


# ------------------------------------------------------------------------------------------------ QR codes


def test_qr_codes_decode_to_the_case_number(db: Database, built: BuiltDay, tmp_path: Path) -> None:
    case = detail_of(db, built, EXT_B_NAME)
    slip, _ = render(HandoverSlipRenderer(), [case])
    assert decode_qr(page_image(slip, 1, tmp_path)) == [case.case_no]
    receipt, _ = render(ReceiptRenderer(), [case])
    assert decode_qr(page_image(receipt, 1, tmp_path)) == [case.case_no]
    thermal, _ = render(ReceiptRenderer(thermal=True), [case])
    assert decode_qr(page_image(thermal, 1, tmp_path, dpi=203)) == [case.case_no]  # a till printer's 8 dots/mm


# ------------------------------------------------------------------------------------------------ bundle, summary


def test_bundle_cover_lists_exactly_that_departments_cases(db: Database, built: BuiltDay) -> None:
    hrss = built.departments["人力资源和社会保障局"]
    bundles = print_data.department_bundles(db, built.day_id, hrss)
    data, result = render(DepartmentBundleRenderer(), bundles)
    texts = pages_text(data)
    covers = [t for t in texts if "交 办 清 单" in t]
    assert len(covers) == 1 and "人力资源和社会保障局" in covers[0]
    expected = {d.case_no for d in print_data.day_cases(db, built.day_id, department_id=hrss)}
    assert set(CASE_NO.findall(covers[0])) == expected == {e.case.case_no for e in bundles[0].entries}
    assert "主办 1 件，协办 1 件" in covers[0]
    slips = [t for t in texts if "交　办　单" in t]
    assert {CASE_NO.search(t).group() for t in slips if CASE_NO.search(t)} == expected  # type: ignore[union-attr]
    assert result.pages == 1 + 2


def test_summary_pdf_shows_the_database_counts(db: Database, built: BuiltDay) -> None:
    summary = print_data.day_summary(db, built.day_id)
    data, _ = render(DaySummaryRenderer(), summary)
    tokens = "\n".join(pages_text(data)).split()

    def after(label: str) -> str:
        return tokens[tokens.index(label) + 1]

    t = summary.totals
    assert (after("登记批次"), after("登记人数"), after("集体访（批）")) == (str(t.batches), str(t.people), "1")
    assert (after("记录案件（件）"), after("交办（件）")) == ("6", "4")
    assert (after("当场解决"), after("解释说明")) == ("1", "1")
    assert (after("绿色"), after("黄色"), after("红色")) == ("1", "2", "1")
    assert after("征收办") == "1" and tokens[tokens.index("征收办") + 2] == "1"  # leads one, co-handles one
    for room in summary.by_room:
        i = tokens.index(room.name)
        assert tokens[i + 1] == room.theme_name
        numbers = [str(n) for n in (room.batches, room.people, room.received, room.cases, room.handed_over)]
        assert [x for x in tokens[i + 2 : i + 12] if x.isdigit()][:5] == numbers


# ------------------------------------------------------------------------------------------------ missing glyphs


def test_a_character_no_font_has_is_reported_and_the_document_still_made(db: Database, built: BuiltDay) -> None:
    case = dataclasses.replace(detail_of(db, built, EXT_A_NAME), visitor_name=f"王{NO_GLYPH}{PRIVATE_USE}")
    for renderer in (HandoverSlipRenderer(), ReceiptRenderer(), ReceiptRenderer(thermal=True)):
        data, result = render(renderer, [case])
        assert result.missing_glyphs == {NO_GLYPH, PRIVATE_USE}
        assert result.pages == 1 and data.startswith(b"%PDF")
        assert case.case_no in pages_text(data)[0]
    listing = print_data.registration_listing(db, built.day_id)
    rows = (dataclasses.replace(listing.rows[0], name=f"李{NO_GLYPH}"), *listing.rows[1:])
    data, result = render(RegistrationListRenderer(), dataclasses.replace(listing, rows=rows))
    assert result.missing_glyphs == {NO_GLYPH} and result.pages == 1


def test_nothing_to_print_still_makes_a_one_page_pdf(tmp_path: Path) -> None:
    for renderer in (HandoverSlipRenderer(), ReceiptRenderer(), ReceiptRenderer(thermal=True)):
        data, result = render(renderer, [])
        assert (result.pages, result.documents) == (1, 0)
        assert "没有需要打印" in pages_text(data)[0]
    target = tmp_path / "empty-bundle.pdf"
    result = DepartmentBundleRenderer().render([], target)
    assert target.read_bytes().startswith(b"%PDF") and result.pages == 1
