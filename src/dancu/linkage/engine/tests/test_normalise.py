"""Known answers and properties for dates, sex codes and ID repair."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs
from hypothesis import given
from hypothesis import strategies as st

from dancu.linkage.engine.normalise import (
    CleanId,
    ParsedDate,
    clean_cell,
    clean_id,
    clean_ids,
    normalise_sex,
    parse_date,
    parse_dates,
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


def _ids_both_ways(values: list[str | None]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    columns = [(r["kind"], r["value"]) for r in clean_ids(pa.array(values, pa.string())).to_pylist()]
    one_by_one = [(c.kind, c.value) for c in map(clean_id, values)]
    return columns, one_by_one


def test_the_column_id_cleaner_agrees_with_clean_id() -> None:
    values = ["030057580981", "30057580981", "147520374", "47520374", "0300575809", "'030057580981",
              "030 057 580981", "3.00576E+11", "12345", "", "０３００５７５８０９８１", "abc", None,
              "'", "' 030057580981", "030  057", " 030057580981", "030.057.580981", "'0", "0",
              "030057580981.0", "#N/A", "`030057580981", "’030057580981"]  # fmt: skip
    columns, one_by_one = _ids_both_ways(values)
    assert columns == one_by_one


_ID_TEXT = st.text(alphabet="0123456789 '.-E+x\u00a0", max_size=14)


@given(st.lists(_ID_TEXT | st.from_regex(r"\A'?[0-9]{1,13}( [0-9]{1,6}){0,3}\Z"), max_size=30))
def test_the_column_id_cleaner_agrees_on_any_digits(values: list[str]) -> None:
    columns, one_by_one = _ids_both_ways(list(values))
    assert columns == one_by_one


def _dates_both_ways(
    values: list[str | None], today: date
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    column = parse_dates(pa.array(values, pa.string()), today=today).to_pylist()
    columns = [(r["dob"], r["alt"], r["year"]) for r in column]
    one_by_one = []
    for value in values:
        parsed = parse_date(value, today=today)
        if parsed is None:
            one_by_one.append((None, None, None))
        else:
            one_by_one.append((None if parsed.month is None else parsed.iso, parsed.swapped_iso, parsed.year))
    return columns, one_by_one


def test_the_column_date_parser_agrees_with_parse_date_on_every_shape() -> None:
    values = [
        # ISO, day first, one-digit parts, mixed separators
        "1985-03-17", "1985/3/7", "17/03/1985", "17-03-1985", "17.03.1985", "7/3/1985", "17/3-1985",
        # ambiguous day/month, month first, impossible both ways, placeholders
        "07/03/1985", "03/07/1985", "12/11/1985", "11/11/1985", "03/25/1985", "25/13/1985", "32/13/1985",
        "01/01/1985", "00/00/1985", "1/1/1985", "1985-01-01", "0/1/1985", "1985-00-01",
        # leap days and month ends
        "29/02/2000", "29/02/1900", "29/02/1988", "29/02/1987", "31/04/1990", "30/04/1990", "02/29/1988",
        # two-digit years and odd year lengths
        "17/03/85", "17/03/05", "17/03/26", "17/03/27", "17/03/985", "17/03/5", "1/2/00",
        # years out of range
        "17/03/1889", "17/03/1890", "31/12/2035", "01/01/2036", "1889-12-31", "2036-01-02",
        # digits: years, compact dates, lost leading zeros, Excel serials
        "1985", "1889", "2026", "2027", "2035", "17031985", "19850317", "01011985", "19850101",
        "00001985", "5031990", "1011990", "31123", "31123.0", "1", "60", "61", "100", "999", "49000",
        "49001", "46000", "0031", "123456", "123456789", "99999999", "00000000", "29021988", "31021988",
        # what only the general parser reads, and junk
        "", None, "  17/03/1985 ", "17 / 03 / 1985", "17 03 1985", "3/1985", "01-Feb-1990", "Feb 1, 1990",
        "ngày 5 tháng 3 năm 1985", "1985-03-17 00:00:00", "1985-03-17T10:20", "không rõ", "x", "#N/A",
        "'17/03/1985", "１７/０３/１９８５", "17/03/1985/1", "1985-03", "12.5", "17..03.1985",
    ]  # fmt: skip
    for today in (_TODAY, date(2026, 11, 25), date(2005, 6, 1)):
        columns, one_by_one = _dates_both_ways(values, today)
        assert columns == one_by_one, [(v, c, o) for v, c, o in zip(values, columns, one_by_one, strict=True) if c != o]


_SEPARATOR = st.sampled_from(["/", "-", ".", " ", "", "//"])


@given(
    st.lists(
        st.from_regex(r"\A[0-9]{1,9}\Z")
        | st.builds(
            lambda a, s1, b, s2, c: f"{a}{s1}{b}{s2}{c}",
            st.from_regex(r"\A[0-9]{1,5}\Z"),
            _SEPARATOR,
            st.from_regex(r"\A[0-9]{1,3}\Z"),
            _SEPARATOR,
            st.from_regex(r"\A[0-9]{1,5}\Z"),
        )
        | st.dates(min_value=date(1880, 1, 1), max_value=date(2040, 12, 31)).map(
            lambda d: d.strftime(d.isoformat() if d.day % 2 else "%d/%m/%Y")
        ),
        max_size=40,
    ),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
)
def test_the_column_date_parser_agrees_with_parse_date_on_any_digits(values: list[str], today: date) -> None:
    columns, one_by_one = _dates_both_ways(list(values), today)
    assert columns == one_by_one
