"""Tests for dancu.core.units against the shipped data file (vietnam-provinces 2026.9.0, 2026-09-20)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from importlib import resources

import pytest

from dancu.core.units import (
    Unit,
    UnknownUnitError,
    _search,
    _store,
    communes,
    districts,
    find_units,
    get_unit,
    personal_id_province_code,
    predecessors,
    provinces,
    successors,
    to_current,
)


def codes(units: list[Unit]) -> list[tuple[str, str]]:
    return [(u.code, u.era) for u in units]


# --- counts and records ------------------------------------------------------------------------


def test_it_counts_the_current_units() -> None:
    assert len(provinces()) == 34
    assert Counter(u.kind for u in provinces("current")) == {"province": 25, "city": 9}
    assert len(communes()) == 3321
    assert Counter(u.kind for u in communes()) == {"commune": 2621, "ward": 687, "special_zone": 13}


def test_it_counts_the_former_units() -> None:
    assert len(provinces("former")) == 63
    assert Counter(u.kind for u in provinces("former")) == {"province": 57, "city": 6}
    assert len(districts()) == 696
    assert Counter(u.kind for u in districts()) == {
        "district": 509,
        "city": 86,
        "town": 52,
        "urban_district": 49,
    }
    assert len(communes("former")) == 10051
    assert Counter(u.kind for u in communes("former")) == {"commune": 7717, "ward": 1716, "township": 618}


def test_it_returns_a_current_ward_with_its_province() -> None:
    assert get_unit("11311") == Unit(
        code="11311",
        name="Phường Hồng Bàng",
        short_name="Hồng Bàng",
        kind="ward",
        level="commune",
        era="current",
        parent_code="31",
        province_code="31",
    )


def test_it_returns_a_former_commune_with_its_district_and_province() -> None:
    assert get_unit("00016", "former") == Unit(
        code="00016",
        name="Phường Ngọc Hà",
        short_name="Ngọc Hà",
        kind="ward",
        level="commune",
        era="former",
        parent_code="001",
        province_code="01",
    )


def test_it_tells_the_eras_apart_for_a_reused_code() -> None:
    assert get_unit("00004", "former").name == "Phường Trúc Bạch"
    assert get_unit("00004", "current").name == "Phường Ba Đình"


def test_it_lists_units_of_one_province() -> None:
    assert len(communes("current", "31")) == 114
    assert len(districts("30")) == 12
    assert len(communes("former", "30")) == 207
    assert {u.province_code for u in communes("former", "30")} == {"30"}


def test_it_refuses_a_province_of_the_other_era() -> None:
    with pytest.raises(UnknownUnitError):
        communes("current", "30")


def test_it_keeps_the_source_and_date_in_the_data_file_name_and_header() -> None:
    name = _store.data_file_name()
    assert name == "units-vietnam-provinces-2026.9.0-2026-09-20.json.gz"
    raw = resources.files("dancu.core.units").joinpath("data").joinpath(name).read_bytes()
    source = json.loads(gzip.decompress(raw))["source"]
    assert (source["package"], source["version"], source["data_version"]) == (
        "vietnam-provinces",
        "2026.9.0",
        "2026-09-20",
    )
    assert source["licence"] == "GPL-3.0-or-later"


# --- conversion --------------------------------------------------------------------------------


def test_it_maps_hai_duong_to_hai_phong() -> None:
    assert codes(successors("30")) == [("31", "current")]
    assert codes(to_current("30")) == [("31", "current")]
    assert codes(predecessors("31")) == [("30", "former"), ("31", "former")]
    went_to = {s.province_code for c in communes("former", "30") for s in successors(c.code)}
    assert went_to == {"31"}


def test_it_gives_a_split_commune_all_its_successors() -> None:
    # Phường Điện Biên (Ba Đình) was split among four new wards.
    assert get_unit("00019", "former").name == "Phường Điện Biên"
    assert [u.name for u in successors("00019")] == [
        "Phường Ba Đình",
        "Phường Hoàn Kiếm",
        "Phường Ô Chợ Dừa",
        "Phường Văn Miếu - Quốc Tử Giám",
    ]


def test_it_lists_the_former_communes_of_a_new_ward() -> None:
    assert [u.code for u in predecessors("00004")] == [
        "00004",
        "00013",
        "00016",
        "00019",
        "00022",
        "00028",
        "00040",
        "00055",
        "00073",
        "00112",
    ]


def test_it_maps_a_former_district_to_the_communes_that_took_its_communes() -> None:
    assert [u.code for u in successors("303")] == ["11311", "11602", "11581", "11593"]


def test_it_links_an_island_district_to_its_special_zone() -> None:
    assert codes(successors("755")) == [("26732", "current")]
    assert codes(predecessors("26732")) == [("755", "former")]
    assert get_unit("755", "former").province_code == "77"
    assert get_unit("26732").province_code == "79"


def test_it_reads_a_code_of_both_eras_as_current_unless_told() -> None:
    assert codes(to_current("00004")) == [("00004", "current")]
    assert codes(to_current("00016")) == [("00004", "current"), ("00008", "current")]
    assert codes(to_current("00016", era="former")) == [("00004", "current"), ("00008", "current")]
    assert codes(to_current("31", era="current")) == [("31", "current")]


def test_it_gives_no_successor_for_a_commune_missing_from_the_conversion_table() -> None:
    # Thị trấn Phù Yên is in the former list but not in the official conversion table.
    assert get_unit("03898", "former").name == "Thị trấn Phù Yên"
    assert successors("03898") == []


def test_it_converts_a_former_code_known_only_to_the_conversion_table() -> None:
    with pytest.raises(UnknownUnitError):
        get_unit("03980", "former")
    assert codes(successors("03980")) == [("03980", "current")]


def test_it_gives_the_birth_registration_code_of_a_province() -> None:
    assert personal_id_province_code("31") == "031"
    assert personal_id_province_code("30") == "030"
    assert personal_id_province_code("01") == "001"


@pytest.mark.parametrize("code", ["32", "031", "1", "00004", ""])
def test_it_refuses_a_birth_registration_code_for_a_non_province(code: str) -> None:
    with pytest.raises(UnknownUnitError):
        personal_id_province_code(code)


# --- errors ------------------------------------------------------------------------------------


def test_it_names_an_unknown_current_code_in_vietnamese_and_english() -> None:
    with pytest.raises(UnknownUnitError) as caught:
        get_unit("99")
    assert str(caught.value) == (
        "Không có đơn vị hành chính mã '99' (hiện hành, từ 01/07/2025) / "
        "Unknown administrative unit code '99' (current, from 2025-07-01)"
    )
    assert caught.value.code == "99"


def test_it_names_an_unknown_former_code() -> None:
    with pytest.raises(UnknownUnitError) as caught:
        successors("99999")
    assert str(caught.value) == (
        "Không có đơn vị hành chính mã '99999' (trước 01/07/2025) / "
        "Unknown administrative unit code '99999' (before 2025-07-01)"
    )


def test_it_names_a_code_unknown_in_both_eras() -> None:
    with pytest.raises(UnknownUnitError) as caught:
        to_current("13")
    assert str(caught.value) == "Không có đơn vị hành chính mã '13' / Unknown administrative unit code '13'"


def test_it_refuses_predecessors_of_a_former_only_unit() -> None:
    with pytest.raises(UnknownUnitError):
        predecessors("30")


def test_it_raises_a_lookup_error_for_a_wrongly_padded_code() -> None:
    # Codes are exact strings: "031" is not province "31".
    with pytest.raises(LookupError):
        get_unit("031")


def test_it_refuses_an_unknown_era() -> None:
    with pytest.raises(ValueError, match="Invalid era 'old'"):
        provinces("old")  # type: ignore[arg-type]  # the point is a value outside the Literal


# --- finding by name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Hồng Bàng", ("11311", "current")),
        ("hong bang", ("11311", "current")),
        ("Phường Hồng Bàng", ("11311", "current")),
        ("PHƯỜNG HỒNG BÀNG", ("11311", "current")),
        ("phuong hong bang", ("11311", "current")),
        ("P. Hồng Bàng", ("11311", "current")),
        ("P.Hong Bang", ("11311", "current")),
        ("Quận Hồng Bàng", ("303", "former")),
        ("Q. Hồng Bàng", ("303", "former")),
        ("Xã Bạch Đằng", ("01708", "current")),
        ("X. Bach Dang", ("01708", "current")),
        ("Thị trấn Phù Yên", ("03898", "former")),
        ("TT. Phù Yên", ("03898", "former")),
        ("TT Phu Yen", ("03898", "former")),
        ("Huyện Phù Yên", ("122", "former")),
        ("H. Phù Yên", ("122", "former")),
        ("Thị xã Sơn Tây", ("269", "former")),
        ("Tx. Sơn Tây", ("269", "former")),
        ("TX Son Tay", ("269", "former")),
        ("Thành phố Hải Phòng", ("31", "current")),
        ("TP. Hải Phòng", ("31", "current")),
        ("TP.Hải Phòng", ("31", "current")),
        ("tp hai phong", ("31", "current")),
        ("Tỉnh Lào Cai", ("15", "current")),
        ("T. Lào Cai", ("15", "current")),
        ("tinh lao cai", ("15", "current")),
        ("Đặc khu Côn Đảo", ("26732", "current")),
        ("dac khu con dao", ("26732", "current")),
        ("Quận 1", ("760", "former")),
        ("Q.1", ("760", "former")),
        ("Q1", ("760", "former")),
        ("Phường 01", ("19333", "former")),
        ("P12", ("24775", "former")),
        ("Khánh Hoà", ("56", "current")),
        ("Ea H’Leo", ("24184", "current")),
        ("Bà Rịa Vũng Tàu", ("77", "former")),
    ],
)
def test_it_finds_a_unit_by_name_with_or_without_prefix_and_diacritics(query: str, first: tuple[str, str]) -> None:
    found = find_units(query)
    assert (found[0].code, found[0].era) == first


def test_it_ranks_exact_diacritics_before_diacritic_insensitive_matches() -> None:
    assert [u.name for u in find_units("Xuân Đỉnh", era="current")] == ["Phường Xuân Đỉnh", "Xã Xuân Định"]
    assert [u.name for u in find_units("Xuân Định", era="current")] == ["Xã Xuân Định", "Phường Xuân Đỉnh"]
    assert [u.name for u in find_units("Thạnh Trị", era="current")] == ["Xã Thạnh Trị", "Xã Thanh Trì"]


def test_it_ranks_the_named_type_before_the_current_era() -> None:
    # Thị xã Sơn Tây no longer exists, but the query named a town: it comes first.
    assert codes(find_units("Tx. Sơn Tây")) == [
        ("269", "former"),
        ("09574", "current"),
        ("18172", "current"),
        ("21340", "current"),
        ("530", "former"),
        ("18172", "former"),
    ]


def test_it_narrows_by_era_level_and_place() -> None:
    assert codes(find_units("Hồng Bàng", era="former")) == [("303", "former")]
    assert codes(find_units("Hồng Bàng", level="commune")) == [("11311", "current")]
    assert codes(find_units("Phường 1", within="770")) == [("27160", "former")]
    assert codes(find_units("Phường 1", era="current")) == []
    # Ten former wards called "Phường 1" in Hồ Chí Minh City, then Quận 1 (the "1" after a type word).
    in_hcmc = find_units("Phường 1", within="79")
    assert [u.level for u in in_hcmc] == ["commune"] * 10 + ["district"]
    assert {u.province_code for u in in_hcmc} == {"79"}


def test_it_finds_nothing_for_an_unknown_or_empty_name() -> None:
    assert find_units("Không Có Nơi Này") == []
    assert find_units("  \u200b ") == []


def test_it_refuses_an_unknown_place_or_level() -> None:
    with pytest.raises(UnknownUnitError):
        find_units("Phường 1", within="11311")
    with pytest.raises(ValueError, match="Invalid level 'ward'"):
        find_units("Phường 1", level="ward")


def test_it_reads_type_words_only_at_the_start() -> None:
    assert _search.readings("Hải Phòng") == []
    assert _search.readings("P. Hồng Bàng") == [_search.Reading("Hồng Bàng", frozenset({"ward"}), True)]
    assert _search.readings("Quan Sơn") == [_search.Reading("Sơn", frozenset({"urban_district"}), False)]


# --- loading -----------------------------------------------------------------------------------


def test_it_loads_once_per_process() -> None:
    assert _store.store() is _store.store()
