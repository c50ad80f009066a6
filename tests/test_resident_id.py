"""GB 11643 resident ID numbers: checksum, real birth date, lower-case x, spreadsheet numbers, masking."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from reception_desk.domain import resident_id as rid

TODAY = dt.date(2026, 11, 28)
regions = st.sampled_from(["330803", "330802", "110101", "440305", "650102"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


def test_known_number_from_the_standard() -> None:
    # the sample number printed in GB 11643-1999
    assert rid.check("11010519491231002X", TODAY).valid
    assert rid.check_char("11010519491231002") == "X"


@given(regions, births, sequences)
def test_made_numbers_are_valid(region: str, born: dt.date, seq: int) -> None:
    number = rid.make(region, born, seq)
    assert len(number) == 18
    assert rid.check(number, TODAY).valid
    assert rid.birth_date(number) == born


@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_breaks_the_checksum_or_the_date(
    region: str, born: dt.date, seq: int, pos: int, delta: int
) -> None:
    number = rid.make(region, born, seq)
    changed = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
    assert not rid.check(changed, TODAY).valid


@given(regions, births, sequences)
def test_lower_case_x_is_the_same_as_upper_case(region: str, born: dt.date, seq: int) -> None:
    number = rid.make(region, born, seq)
    lowered = number.lower()
    result = rid.check(lowered, TODAY)
    assert result.valid
    assert result.normalized == number


def test_impossible_dates_are_refused() -> None:
    feb30 = "33080319700230" + "123"
    assert rid.check(feb30 + rid.check_char(feb30), TODAY).problem is rid.IdProblem.BAD_DATE
    future = "33080320301010" + "123"
    assert rid.check(future + rid.check_char(future), TODAY).problem is rid.IdProblem.BAD_DATE


def test_spreadsheet_numbers_are_never_taken_as_ids() -> None:
    for value in (3.30803197001011e17, 330803197001011000, "3.30803197001011E+17", "330803197001011000.0"):
        assert rid.check(value, TODAY).problem is rid.IdProblem.NUMBER_MANGLED


def test_full_width_digits_and_spaces_are_folded() -> None:
    number = rid.make("330803", dt.date(1970, 1, 1), 123)
    wide = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in number)
    assert rid.check(f" {wide[:6]} {wide[6:]} ", TODAY).normalized == number


@given(regions, births, sequences)
def test_mask_keeps_region_and_last_four_only(region: str, born: dt.date, seq: int) -> None:
    number = rid.make(region, born, seq)
    masked = rid.mask(number)
    assert masked == number[:6] + "*" * 8 + number[-4:]
    assert number[6:14] not in masked


def test_wrong_shapes() -> None:
    assert rid.check("12345", TODAY).problem is rid.IdProblem.BAD_SHAPE
    assert rid.check("", TODAY).problem is rid.IdProblem.EMPTY
    assert rid.check("33080319700101123Y", TODAY).problem is rid.IdProblem.BAD_SHAPE
