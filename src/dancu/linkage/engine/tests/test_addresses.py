"""Addresses in former and current units, with their abbreviations."""

from __future__ import annotations

from dancu.linkage.engine.addresses import (
    ParsedAddress,
    parse_address,
    resolve_address,
    resolve_addresses,
    resolve_register_communes,
)


def test_it_parses_an_abbreviated_former_address() -> None:
    assert parse_address("Thôn 3, X. Tân Phong, H. Kiến Thụy, TP Hải Phòng") == ParsedAddress(
        village="3",
        commune="tan phong",
        district="kien thuy",
        province="hai phong",
        district_level="district",
        province_level="city",
    )


def test_it_parses_an_address_without_commas() -> None:
    parsed = parse_address("Xã Tân Phong Huyện Kiến Thụy Tỉnh Hải Phòng")
    assert (parsed.commune, parsed.district, parsed.province) == ("tan phong", "kien thuy", "hai phong")


def test_it_keeps_type_words_inside_unit_names() -> None:
    # "Quán Toan" folds to "quan toan": it is a ward, not a district ("Quận").
    parsed = parse_address("SỐ 1 NGÕ 198 PHAN BỘI CHÂU,PHƯỜNG QUÁN TOAN,QUẬN HỒNG BÀNG,THÀNH PHỐ HẢI PHÒNG")
    assert (parsed.commune, parsed.district) == ("quan toan", "hong bang")
    parsed = parse_address("Xã Hiệp Hòa, Thị xã Kinh Môn, Tỉnh Hải Dương")
    assert (parsed.commune, parsed.district, parsed.province) == ("hiep hoa", "kinh mon", "hai duong")


def test_it_maps_former_units_to_the_current_commune() -> None:
    # Hải Dương became part of Hải Phòng on 1 July 2025; its districts were abolished.
    resolved = resolve_address(parse_address("Xã Hiệp Hòa, Thị xã Kinh Môn, Tỉnh Hải Dương"))
    assert resolved.communes == ("10729",)  # Phường Trần Liễu
    assert resolved.province == "31"
    resolved = resolve_address(parse_address("P.Quán Toan, Q.Hồng Bàng, TP Hải Phòng"))
    assert resolved.communes == ("11602",)  # Phường Hồng An


def test_it_reads_a_current_address() -> None:
    resolved = resolve_address(parse_address("Số 12 ngõ 34 Lạch Tray, Phường Ngô Quyền, TP Hải Phòng"))
    assert resolved.communes == ("11329",)
    assert resolved.province == "31"


def test_it_assumes_the_registers_province_when_none_is_written() -> None:
    resolved = resolve_address(parse_address("Thôn Đông, X.Tân Phong"), default_provinces=("31",))
    assert resolved.province == "31"
    assert "11749" in resolved.communes


def test_it_resolves_many_addresses_at_once() -> None:
    resolved = resolve_addresses(["P.Quán Toan, Q.Hồng Bàng, TP Hải Phòng", "", "không rõ"])
    assert resolved.communes.to_pylist() == [["11602"], [], []]
    assert resolved.province.to_pylist() == ["31", None, None]


def test_it_maps_register_commune_codes_of_either_era() -> None:
    assert resolve_register_communes(["11602", "10708"]) == {
        "11602": ("11602", "31"),
        "10708": ("10729", "31"),  # former Xã Hiệp Hòa (Kinh Môn)
    }


def test_it_reads_a_bare_name_before_the_province_as_the_commune() -> None:
    # Districts were abolished in 2025: "Gia Phúc - Hải Phòng" names the commune.
    assert resolve_address(parse_address("Gia Phúc - Thành phố Hải Phòng")).communes == ("11050",)
    assert resolve_address(parse_address("Thôn 3, Gia Phúc, Hải Phòng")).communes == ("11050",)
    # A name that was a district's too ("Lê Chân") may mean either: no commune is guessed.
    assert resolve_address(parse_address("Lê Chân - Thành phố Hải Phòng")).communes == ()
    # A district written as one keeps its meaning.
    assert resolve_address(parse_address("Huyện Gia Phúc, Hải Phòng")).communes == ()


def test_many_addresses_resolve_each_as_one_does() -> None:
    # Resolving many at once shares the work between addresses with the same units,
    # but not between a district written as one and a bare name.
    texts = ["Huyện Gia Phúc - Thành phố Hải Phòng", "Gia Phúc - Thành phố Hải Phòng", "Thôn 3, Gia Phúc, Hải Phòng"]
    for order in (texts, texts[::-1]):
        resolved = resolve_addresses(order)
        one_by_one = [resolve_address(parse_address(t)) for t in order]
        assert resolved.communes.to_pylist() == [list(r.communes) for r in one_by_one]
        assert resolved.province.to_pylist() == [r.province for r in one_by_one]
