"""The messy-extract generator: reproducible, with the truth kept apart."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from dancu.linkage.engine.headers import recognise_headers
from dancu.linkage.engine.messy import make_messy_extract, register_rows
from dancu.registry.synthetic import generate_province


@pytest.fixture(scope="module")
def register() -> list[dict[str, Any]]:
    return register_rows(generate_province(3000, seed=5))


def test_it_is_reproducible(register: list[dict[str, Any]]) -> None:
    first = make_messy_extract(register, 500, seed=9)
    second = make_messy_extract(register, 500, seed=9)
    assert first.rows == second.rows
    assert first.truth == second.truth
    assert make_messy_extract(register, 500, seed=10).rows != first.rows


def test_it_keeps_the_truth_for_every_row(register: list[dict[str, Any]]) -> None:
    extract = make_messy_extract(register, 1000, seed=3)
    ids = {p["personal_id"] for p in register}
    assert len(extract.rows) == 1000
    assert set(extract.truth) == {str(n) for n in range(1, 1001)}
    assert all(pid == "" or pid in ids for pid in extract.truth.values())
    unregistered = [k for k, v in extract.truth.items() if v == ""]
    kinds = Counter(k for row in extract.kinds.values() for k in row)
    assert len(unregistered) == sum(
        kinds[k] for k in ("unregistered_stranger", "unregistered_namesake", "unregistered_twin")
    )


def test_it_makes_every_kind_of_mess(register: list[dict[str, Any]]) -> None:
    extract = make_messy_extract(register, 3000, seed=4)
    kinds = Counter(k for row in extract.kinds.values() for k in row)
    for kind in ("name_tcvn3", "name_vni", "name_ascii", "name_upper", "name_typo",
                 "date_year_only", "date_placeholder", "date_swapped", "date_excel_serial",
                 "id_missing", "id_old_number", "id_typo", "id_transposed", "id_family_member",
                 "id_as_number", "address_former_units", "address_abbreviated",
                 "unregistered_twin", "unregistered_namesake", "duplicate"):  # fmt: skip
        assert kinds[kind] > 0, kind


def test_it_writes_headers_the_engine_recognises(register: list[dict[str, Any]]) -> None:
    for style in range(3):
        extract = make_messy_extract(register, 50, seed=1, header_style=style)
        mapping = recognise_headers(extract.headers)
        assert set(mapping.fields) == {
            "row_id",
            "full_name",
            "birth_date",
            "sex",
            "personal_id",
            "address",
            "phone",
        }, style
