"""The import's cell checks: known answers, and the column-wise personal-ID check held to the
scalar parser by property tests."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from dancu.core.personal_id import PROVINCE_CODES, InvalidPersonalId, parse_personal_id
from dancu.registry.importing.cells import NameValue, Problem, UnitValue, check_date, check_name, check_unit
from dancu.registry.importing.columns import header_key, resolve_header
from dancu.registry.importing.links import personal_id_ok
from dancu.registry.vocabulary import ETHNIC_GROUPS, canonical_ethnicity, canonical_relation, canonical_status

TODAY = dt.date(2026, 11, 25)


def _scalar_ok(value: str) -> bool:
    try:
        parse_personal_id(value, today=TODAY)
    except InvalidPersonalId:
        return False
    return True


def _columnwise_ok(values: list[str]) -> list[bool]:
    frame = pl.DataFrame({"v": pl.Series(values, dtype=pl.Utf8)})
    return frame.select(personal_id_ok(pl.col("v"), today=TODAY)).to_series().to_list()


_structured = st.builds(
    lambda province, digit, year, serial: f"{province}{digit}{year:02d}{serial:06d}",
    st.sampled_from([*PROVINCE_CODES, "000", "003", "099", "999"]),
    st.integers(0, 9),
    st.integers(0, 99),
    st.integers(0, 999_999),
)


@given(st.lists(st.one_of(_structured, st.text(alphabet="0123456789٣²x ", max_size=14)), max_size=40))
def test_it_checks_personal_ids_column_wise_exactly_as_the_parser_does(values: list[str]) -> None:
    # The import strips whitespace before checking; so does the parser.
    stripped = ["".join(v.split()) for v in values]
    assert _columnwise_ok(stripped) == [_scalar_ok(v) for v in stripped]


def test_it_reads_dates_with_their_precision() -> None:
    assert check_date("1987-04-05", today=TODAY) == (dt.date(1987, 4, 5), "day")
    assert check_date("05/04/1987", today=TODAY) == (dt.date(1987, 4, 5), "day")
    assert check_date("1987-04", today=TODAY) == (dt.date(1987, 4, 1), "month")
    assert check_date("04/1987", today=TODAY) == (dt.date(1987, 4, 1), "month")
    assert check_date(" 1987 ", today=TODAY) == (dt.date(1987, 1, 1), "year")
    assert check_date("1987-02-29", today=TODAY) == Problem(
        "date.impossible", "Không có ngày 1987-02-29 / there is no such date as 1987-02-29"
    )
    assert check_date("2027-01-01", today=TODAY) == Problem(
        "date.future", "Ngày 2027-01-01 chưa đến / 2027-01-01 is in the future"
    )
    assert check_date("1850", today=TODAY) == Problem("date.too_early", "Ngày 1850 trước 1880 / 1850 is before 1880")
    assert isinstance(check_date("April 1987", today=TODAY), Problem)


def test_it_normalises_names_and_cuts_them_into_parts() -> None:
    assert check_name("  nguyễN  văn   đức ") == NameValue("Nguyễn Văn Đức", "Nguyễn", "Văn", "Đức", "nguyen van duc")
    assert check_name("tôn thất thuyết") == NameValue("Tôn Thất Thuyết", "Tôn Thất", "", "Thuyết", "ton that thuyet")
    assert check_name("h'hen niê") == NameValue("H'Hen Niê", "H'Hen", "", "Niê", "h'hen nie")
    assert check_name("Nguyễn Văn 2") == Problem(
        "full_name.characters",
        "Họ tên chỉ gồm chữ cái, dấu cách, dấu nháy, gạch nối / a name has only letters, spaces, apostrophes and hyphens",
    )


def test_it_places_units_of_both_eras() -> None:
    assert check_unit("31", "11311", "Phường Hồng Bàng", home_province="31") == UnitValue(
        "11311", "31", "11311", "current", "Phường Hồng Bàng", False
    )
    assert check_unit("30", "10510", "Bình Hàn", home_province="31") == UnitValue(
        "10507", "31", "10510", "former", "Bình Hàn", True
    )
    # A code Excel shortened is padded back to five digits.
    assert check_unit("", "1311", "", home_province="31") == Problem(
        "unit.unknown", "Không có xã, phường mã 01311 / no commune has code 01311"
    )
    assert check_unit("31", "11311", "Phường Lạch Tray", home_province="31") == Problem(
        "unit.name_mismatch",
        "Mã xã 11311 là Phường Hồng Bàng / Phường Minh Khai, không phải 'Phường Lạch Tray' / "
        "code 11311 is Phường Hồng Bàng / Phường Minh Khai, not 'Phường Lạch Tray'",
    )
    assert check_unit("01", "11311", "", home_province="31") == Problem(
        "unit.province_mismatch", "Xã 11311 không thuộc tỉnh mã 01 / commune 11311 is not in province 01"
    )


def test_it_recognises_headers_however_agencies_write_them() -> None:
    assert header_key("\ufeffHọ và tên ") == "ho va ten"
    mapping, unknown, duplicates = resolve_header(
        ["SO_DINH_DANH", "Họ và tên", "NGÀY SINH", "Giới tính", "Ghi chú", "HO_TEN"]
    )
    assert mapping == {0: "personal_id", 1: "full_name", 2: "birth_date", 3: "sex"}
    assert unknown == ["Ghi chú"]
    assert duplicates == [("HO_TEN", "full_name")]


def test_it_knows_the_54_ethnic_groups_and_their_spellings() -> None:
    assert len(ETHNIC_GROUPS) == len(set(ETHNIC_GROUPS)) == 54
    assert [canonical_ethnicity(v) for v in ("kinh", "Khơ-me", "Ê-đê", "HMONG", "Mông", "Bru - Vân Kiều", "Xyz")] == [
        "Kinh",
        "Khmer",
        "Ê Đê",
        "H'Mông",
        "H'Mông",
        "Bru Vân Kiều",
        None,
    ]
    assert [canonical_relation(v) for v in ("chủ hộ", "CON DÂU", "Bố", "Cô", "Bạn")] == [
        "Chủ hộ",
        "Con dâu",
        "Cha",
        "Cô",
        "Bạn",
    ]
    assert [canonical_status(v) for v in ("alive", "Còn sống", "Đã mất", "deceased", "?")] == [
        "alive",
        "alive",
        "deceased",
        "deceased",
        None,
    ]
