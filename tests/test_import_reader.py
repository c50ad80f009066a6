"""Reading pre-registration files: header detection, Excel row numbers, CSV encodings, unusable inputs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from reception_desk.errors import UnusableInputError
from reception_desk.services.importing import Field, read_sheet

HEADER = ["序号", "来访人", "身份证号", "手机", "人数", "所属乡镇(街道)", "村社区", "类别", "反映问题\n及诉求", "备注"]


def _workbook(path: Path, rows: list[list[object]], titles: int = 2) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    for i in range(titles):
        ws.append([f"标题{i + 1}"])
        ws.merge_cells(start_row=i + 1, start_column=1, end_row=i + 1, end_column=len(HEADER))
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_header_below_merged_titles_and_excel_row_numbers(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "名单.xlsx",
        [
            [1, "王学德", "", "", "", "湖南镇", "破石村", "", "拖欠工资"],  # row 4
            [],  # row 5, blank
            [2, "", "", "", "", "", "", "", ""],  # row 6, only a pre-printed 序号
            [3, "李秀英", "", "", "", "", "", "", "道路破损"],  # row 7
            [None, None],  # row 8
            ["合计", "", "", "", 2],  # row 9
            [4, "合 计", "", "", "", "", "", "", ""],  # row 10: another total form
        ],
    )
    sheet = read_sheet(path)
    assert sheet.header_row == 3
    assert sheet.sheet == "名单"
    assert [r.row for r in sheet.rows] == [4, 7]
    assert sheet.skipped == 2
    assert sheet.rows[0].get(Field.NAME) == "王学德"
    assert sheet.rows[0].get(Field.TOWNSHIP) == "湖南镇"
    assert sheet.rows[1].get(Field.REQUEST) == "道路破损"
    assert set(sheet.columns) == {
        Field.NAME,
        Field.ID_NUMBER,
        Field.PHONE,
        Field.HEADCOUNT,
        Field.TOWNSHIP,
        Field.VILLAGE,
        Field.CATEGORY,
        Field.REQUEST,
    }


def test_a_request_that_starts_with_heji_is_not_a_total_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "a.xlsx", [[1, "张三", "", "", "", "", "", "", "合计拖欠工资三万元"]])
    assert [r.row for r in read_sheet(path).rows] == [4]


def test_header_on_another_sheet_than_the_active_one(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "说明"
    cover.append(["请按模板填写"])
    ws = wb.create_sheet("预登记")
    ws.append(["姓名", "诉求"])
    ws.append(["张三", "修路"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    sheet = read_sheet(path)
    assert sheet.sheet == "预登记"
    assert [(r.row, r.get(Field.NAME)) for r in sheet.rows] == [(2, "张三")]


CSV_TEXT = (
    "序号{d}姓名{d}联系电话{d}反映问题及诉求{d}同行人员\n"
    '1{d}𠮷田{d}13805701234{d}"养殖场污染，异味扰民"{d}张三、李四\n'
    "\n"
    "2{d}阿依古丽·买买提{d}{d}征地补偿{d}\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    text = CSV_TEXT.format(d=delimiter)
    path = tmp_path / "名单.csv"
    path.write_bytes(text.encode(encoding))
    sheet = read_sheet(path)
    assert [r.row for r in sheet.rows] == [2, 4]
    assert sheet.rows[0].get(Field.NAME) == "𠮷田"
    assert sheet.rows[0].get(Field.REQUEST) == "养殖场污染，异味扰民"
    assert sheet.rows[0].get(Field.COMPANIONS) == "张三、李四"
    assert sheet.rows[1].get(Field.NAME) == "阿依古丽·买买提"


def test_gb18030_is_not_mistaken_for_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes("姓名,诉求\n王学德,拖欠工资\n".encode("gb18030"))
    assert read_sheet(path).rows[0].get(Field.NAME) == "王学德"


def _corrupt_zip(path: Path) -> None:
    good = tmp = path.with_name("good.xlsx")
    _workbook(tmp, [[1, "张三", "", "", "", "", "", "", "修路"]])
    path.write_bytes(good.read_bytes()[:400])


def _docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("文本.xlsx", lambda p: p.write_text("这不是表格", encoding="utf-8")),
        ("随机.xlsx", lambda p: p.write_bytes(bytes(range(256)) * 8)),
        ("旧版.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)),
        ("旧版改名.xlsx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)),
        ("文档.docx", _docx),
        ("文档改名.xlsx", _docx),
        ("损坏.xlsx", _corrupt_zip),
        ("二进制.csv", lambda p: p.write_bytes(b"\x00\x01\x02\xff" * 100)),
        ("空.csv", lambda p: p.write_bytes(b"")),
        ("无表头.csv", lambda p: p.write_text("a,b,c\n1,2,3\n", encoding="utf-8")),
        ("报告.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n")),
    ],
)
def test_unusable_inputs_raise_one_chinese_line(tmp_path: Path, name: str, make: object) -> None:
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    with pytest.raises(UnusableInputError) as caught:
        read_sheet(path)
    message = str(caught.value)
    assert message and "\n" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_workbook_without_header_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for i in range(40):
        wb.active.append([f"说明{i}", "内容"])
    wb.active.append(["姓名", "诉求"])  # row 41: beyond the 30 rows scanned
    path = tmp_path / "no_header.xlsx"
    wb.save(path)
    with pytest.raises(UnusableInputError, match="表头"):
        read_sheet(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError, match="找不到文件"):
        read_sheet(tmp_path / "不存在.xlsx")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError):
        read_sheet(tmp_path)
