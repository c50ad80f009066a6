"""Phone normalisation: full-width digits, spaces, dashes, +86; mobile and landline."""

from __future__ import annotations

from reception_desk.domain import phone
from reception_desk.domain.phone import PhoneKind


def test_mobile_variants() -> None:
    for raw in (
        "13805701234",
        "138 0570 1234",
        "138-0570-1234",
        "+86 138 0570 1234",
        "１３８０５７０１２３４",
        13805701234,
        13805701234.0,
        " 13805701234 ",
    ):
        parsed = phone.normalize(raw)
        assert parsed is not None, raw
        assert parsed.digits == "13805701234"
        assert parsed.kind is PhoneKind.MOBILE


def test_landlines_keep_or_get_the_area_code() -> None:
    parsed = phone.normalize("0570-8881234")
    assert parsed is not None and parsed.digits == "05708881234" and parsed.kind is PhoneKind.LANDLINE
    assert parsed.display() == "0570-8881234"
    local = phone.normalize("8881234")
    assert local is not None and local.digits == "05708881234"
    beijing = phone.normalize("(010) 6512 3456")
    assert beijing is not None and beijing.display() == "010-65123456"


def test_rubbish_is_refused() -> None:
    for raw in ("", "无", "12345", "1380570123", "2380570123456", None, True):
        assert phone.normalize(raw) is None


def test_mask() -> None:
    assert phone.mask("13805701234") == "138****1234"
    assert phone.mask("") == ""
