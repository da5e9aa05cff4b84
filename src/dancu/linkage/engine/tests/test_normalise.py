"""Known answers and properties for dates, sex codes and ID repair."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from dancu.linkage.engine.normalise import (
    CleanId,
    ParsedDate,
    clean_cell,
    clean_id,
    normalise_sex,
    parse_date,
)

_TODAY = date(2026, 1, 1)


def test_it_reads_the_five_common_date_formats() -> None:
    expected = ParsedDate(1985, 3, 17)
    for text in ("1985-03-17", "17/03/1985", "17-03-1985", "17.03.1985", "17031985", "19850317"):
        assert parse_date(text, today=_TODAY) == expected, text


def test_it_flags_ambiguous_day_month() -> None:
    parsed = parse_date("07/03/1985", today=_TODAY)
    assert parsed == ParsedDate(1985, 3, 7, swappable=True)
    assert parsed is not None
    assert parsed.swapped_iso == "1985-07-03"


def test_it_reads_month_first_when_day_first_is_impossible() -> None:
    assert parse_date("03/25/1985", today=_TODAY) == ParsedDate(1985, 3, 25)


def test_it_treats_year_only_and_placeholders_as_year() -> None:
    assert parse_date("1985", today=_TODAY) == ParsedDate(1985)
    assert parse_date("01/01/1985", today=_TODAY) == ParsedDate(1985, placeholder=True)
    assert parse_date("3/1985", today=_TODAY) == ParsedDate(1985)
    assert parse_date(1985, today=_TODAY) == ParsedDate(1985)


def test_it_reads_excel_serials_and_date_objects() -> None:
    assert parse_date(31123, today=_TODAY) == ParsedDate(1985, 3, 17)
    assert parse_date("31123.0", today=_TODAY) == ParsedDate(1985, 3, 17)
    assert parse_date(datetime(1985, 3, 17, 0, 0), today=_TODAY) == ParsedDate(1985, 3, 17)


def test_it_reads_two_digit_years_into_the_past() -> None:
    assert parse_date("17/03/85", today=_TODAY) == ParsedDate(1985, 3, 17)
    assert parse_date("17/03/05", today=_TODAY) == ParsedDate(2005, 3, 17)


def test_it_refuses_impossible_dates() -> None:
    assert parse_date("32/13/1985", today=_TODAY) is None
    assert parse_date("không rõ", today=_TODAY) is None
    assert parse_date("", today=_TODAY) is None


@given(st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31)))
def test_it_reads_back_any_date_written_any_way(day: date) -> None:
    written = [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d-%m-%Y"),
        day.strftime("%d%m%Y"),
        str((day - date(1899, 12, 30)).days),
    ]
    for text in written:
        parsed = parse_date(text, today=_TODAY)
        assert parsed is not None, text
        if day.month == 1 and day.day == 1:
            assert parsed == ParsedDate(day.year, placeholder=True)
        else:
            assert (parsed.year, parsed.month, parsed.day) == (day.year, day.month, day.day)


def test_it_maps_sex_codes() -> None:
    for code in ("Nam", "NAM", "nam", "M", "1", 1, "male"):
        assert normalise_sex(code) == "Nam", code
    for code in ("Nữ", "NỮ", "NU", "nu", "F", "0", 0, "2"):
        assert normalise_sex(code) == "Nữ", code
    assert normalise_sex("?") is None
    assert normalise_sex(None) is None


def test_it_repairs_excel_damage_on_ids() -> None:
    assert clean_id("'031087001234") == CleanId("personal_id", "031087001234")
    assert clean_id(31087001234) == CleanId("personal_id", "031087001234", repaired=True)
    assert clean_id(31087001234.0) == CleanId("personal_id", "031087001234", repaired=True)
    assert clean_id("031 087 001 234") == CleanId("personal_id", "031087001234")
    assert clean_id("12345678") == CleanId("old_id", "012345678", repaired=True)
    assert clean_id("1.23457E+11") == CleanId("invalid", "1.23457E+11")
    assert clean_id("") == CleanId("empty", "")


def test_it_cleans_cells() -> None:
    assert clean_cell("  'Nguyễn\u00a0 Văn  A ") == "Nguyễn Văn A"
    assert clean_cell(12.0) == "12"
    assert clean_cell("#N/A") == ""


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_it_recovers_any_personal_id_excel_turned_into_a_number(number: int) -> None:
    text = f"{number:012d}"
    if text.startswith("0") and not text.startswith("00"):
        assert clean_id(number).value == text
    assert clean_id("'" + text).value == text


def test_it_reads_month_names_of_an_english_excel() -> None:
    assert parse_date("01-Feb-1990", today=_TODAY) == ParsedDate(1990, 2, 1)
    assert parse_date("Feb 1, 1990", today=_TODAY) == ParsedDate(1990, 2, 1)
    assert parse_date("15-Sep-85", today=_TODAY) == ParsedDate(1985, 9, 15)
    assert parse_date("01-Xyz-1990", today=_TODAY) is None


def test_the_fast_id_path_agrees_with_clean_id() -> None:
    from dancu.linkage.engine.normalise import clean_id
    from dancu.linkage.engine.prepare import _clean_id

    values = ["030057580981", "30057580981", "147520374", "47520374", "0300575809", "'030057580981",
              "030 057 580981", "3.00576E+11", "12345", "", "０３００５７５８０９８１", "abc"]  # fmt: skip
    assert [_clean_id(v) for v in values] == [clean_id(v) for v in values]
