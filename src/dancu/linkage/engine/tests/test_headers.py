"""Header recognition and the user's mapping file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dancu.linkage.engine.headers import MappingError, load_mapping, recognise_headers


def test_it_recognises_common_vietnamese_headers() -> None:
    mapping = recognise_headers(["STT", "HO_TEN", "NGAY_SINH", "GIOI_TINH", "SO_CCCD", "SO_CMND", "DIA_CHI", "Ghi chú"])
    assert mapping.fields == {
        "row_id": "STT",
        "full_name": "HO_TEN",
        "birth_date": "NGAY_SINH",
        "sex": "GIOI_TINH",
        "personal_id": "SO_CCCD",
        "old_id_number": "SO_CMND",
        "address": "DIA_CHI",
    }
    assert mapping.unmapped == ["Ghi chú"]


def test_it_recognises_headers_with_diacritics_and_extra_words() -> None:
    mapping = recognise_headers(
        ["Họ và tên người bệnh", "Năm sinh", "Giới tính", "Số định danh cá nhân",
         "Nơi thường trú", "Tình trạng", "Họ tên chủ hộ"]
    )  # fmt: skip
    assert mapping.fields == {
        "full_name": "Họ và tên người bệnh",
        "birth_year": "Năm sinh",
        "sex": "Giới tính",
        "personal_id": "Số định danh cá nhân",
        "address": "Nơi thường trú",
        "household_head": "Họ tên chủ hộ",
    }
    assert mapping.unmapped == ["Tình trạng"]


def test_it_applies_the_users_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"Cột A": "full_name", "HO_TEN": ""}), encoding="utf-8")
    mapping = recognise_headers(["Cột A", "HO_TEN", "NS"], overrides=load_mapping(path))
    assert mapping.fields == {"full_name": "Cột A", "birth_date": "NS"}
    assert mapping.unmapped == ["HO_TEN"]
    assert json.loads(mapping.to_json()) == {"Cột A": "full_name", "NS": "birth_date"}


def test_it_refuses_a_mapping_to_an_unknown_field() -> None:
    with pytest.raises(MappingError, match="Unknown field: surname"):
        recognise_headers(["HO"], overrides={"HO": "surname"})


def test_it_refuses_a_mapping_naming_a_missing_column() -> None:
    with pytest.raises(MappingError, match="no column: TEN"):
        recognise_headers(["HO_TEN"], overrides={"TEN": "full_name"})
