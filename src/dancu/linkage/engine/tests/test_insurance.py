"""The health-insurance error model: reproducible, with the truth kept apart and right."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from dancu.linkage.engine.headers import recognise_headers
from dancu.linkage.engine.insurance import make_insurance_extract
from dancu.linkage.engine.messy import MessyExtract, register_rows
from dancu.registry.synthetic import generate_province


@pytest.fixture(scope="module")
def register() -> list[dict[str, Any]]:
    return register_rows(generate_province(6000, seed=5))


@pytest.fixture(scope="module")
def extract(register: list[dict[str, Any]]) -> MessyExtract:
    return make_insurance_extract(register, 3000, seed=4)


def test_it_is_reproducible(register: list[dict[str, Any]], extract: MessyExtract) -> None:
    again = make_insurance_extract(register, 3000, seed=4)
    assert again.rows == extract.rows
    assert again.truth == extract.truth
    assert again.kinds == extract.kinds
    assert make_insurance_extract(register, 3000, seed=5).rows != extract.rows


def test_it_keeps_the_truth_for_every_row(register: list[dict[str, Any]], extract: MessyExtract) -> None:
    ids = {p["personal_id"] for p in register}
    assert len(extract.rows) == 3000
    assert set(extract.truth) == {str(n) for n in range(1, 3001)}
    assert all(pid == "" or pid in ids for pid in extract.truth.values())
    invented = ("unregistered_migrant", "unregistered_newborn", "unregistered_twin")
    for row_id, pid in extract.truth.items():
        assert (pid == "") == any(k in extract.kinds[row_id] for k in invented), row_id
    # Nobody is listed twice unless the row says it is a duplicate.
    listed = Counter(pid for row_id, pid in extract.truth.items() if pid and "duplicate" not in extract.kinds[row_id])
    assert max(listed.values()) == 1


def test_it_makes_every_kind_of_mess(extract: MessyExtract) -> None:
    kinds = Counter(k for row in extract.kinds.values() for k in row)
    for kind in ("name_ascii_caps", "name_caps", "name_no_marks", "middle_initial", "middle_dropped",
                 "initials", "surname_variant", "given_variant", "name_slip",
                 "date_two_digit_year", "date_year_only", "date_placeholder", "date_swapped",
                 "date_digit", "date_missing", "sex_coded", "sex_missing", "sex_marker",
                 "id_missing", "id_old", "id_lost_zero", "id_scientific", "id_transposed", "id_digit",
                 "id_of_parent", "id_of_relative", "id_of_mother", "id_of_twin",
                 "address_former", "address_current", "address_free_text", "address_missing",
                 "address_moved", "address_other_province", "household_block", "duplicate",
                 "unregistered_migrant", "unregistered_newborn", "unregistered_twin"):  # fmt: skip
        assert kinds[kind] > 0, kind


def test_a_child_carrying_a_parents_id_stays_the_child(register: list[dict[str, Any]], extract: MessyExtract) -> None:
    by_id = {p["personal_id"]: p for p in register}
    garbled = {"id_transposed", "id_digit", "id_scientific"}
    rows = [row_id for row_id, kinds in extract.kinds.items() if "id_of_parent" in kinds and not garbled & set(kinds)]
    assert len(rows) > 20
    for row_id in rows:
        child = by_id[extract.truth[row_id]]
        written = str(extract.rows[int(row_id) - 1]["SO CCCD/CMND"]).zfill(12)
        assert written in {child["father_id"], child["mother_id"]}, row_id
        assert written != child["personal_id"]


def test_newborns_are_born_after_the_register(extract: MessyExtract) -> None:
    newborns = [extract.rows[int(k) - 1] for k, kinds in extract.kinds.items() if "unregistered_newborn" in kinds]
    assert newborns
    for row in newborns:
        written = str(row["NGAY SINH"])
        # after the register's date (1 July 2025): the year is 2025, whatever else was lost
        assert written == "" or written.endswith(("2025", "/25")), written


def test_households_are_listed_together_under_one_address(extract: MessyExtract) -> None:
    rows = extract.rows
    runs = 0
    for n in range(1, len(rows)):
        this, before = extract.kinds[str(n + 1)], extract.kinds[str(n)]
        if "household_block" in this and "household_block" in before and rows[n]["DIA CHI"] == rows[n - 1]["DIA CHI"]:
            runs += 1
    assert runs > 500


def test_it_writes_headers_the_engine_recognises(extract: MessyExtract) -> None:
    mapping = recognise_headers(extract.headers)
    assert set(mapping.fields) == {"row_id", "full_name", "birth_date", "sex", "personal_id", "address", "phone"}
    assert mapping.unmapped == []
