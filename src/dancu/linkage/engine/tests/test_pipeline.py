"""Linking hand-made extract rows whose right answer is known, one behaviour each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from dancu.core.text import split_name
from dancu.linkage.engine.legacy_encodings import encode_tcvn3, encode_vni
from dancu.linkage.engine.messy import register_rows
from dancu.linkage.engine.pipeline import LinkResult, link
from dancu.registry.synthetic import generate_province


@pytest.fixture(scope="module")
def register() -> list[dict[str, Any]]:
    return register_rows(generate_province(3000, seed=21))


def _dmy(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if len(iso) == 10 else iso


def _row(number: int, person: dict[str, Any], **changes: Any) -> dict[str, Any]:
    row = {
        "STT": number,
        "Họ và tên": person["full_name"],
        "Ngày sinh": _dmy(person["birth_date"]),
        "Giới tính": person["sex"],
        "Số CCCD": person["personal_id"],
        "Địa chỉ": f"{person['address_line']}, {person['commune_name']}, Thành phố Hải Phòng",
    }
    row.update(changes)
    return row


def _adults(register: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in register if len(p["birth_date"]) == 10 and p["birth_date"] < "2000"]


def _child_with_parent(register: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    by_id = {p["personal_id"]: p for p in register}
    for person in register:
        parent = by_id.get(person["father_id"]) or by_id.get(person["mother_id"])
        if parent and len(person["birth_date"]) == 10 and person["birth_date"] > "2005":
            return person, parent
    raise AssertionError("the synthetic register has no child with a parent")


def _by_row(result: LinkResult) -> dict[str, dict[str, Any]]:
    return {r["row_id"]: r for r in result.rows()}


@pytest.fixture(scope="module")
def scenario(register: list[dict[str, Any]]) -> tuple[LinkResult, dict[str, Any]]:
    adults = _adults(register)
    child, parent = _child_with_parent(register)
    twin_of = adults[10]
    parts = split_name(twin_of["full_name"])
    twin_name = f"{parts.surname} {parts.middle} {'Khải' if parts.given != 'Khải' else 'Tuấn'}"
    people = {
        "plain": adults[0],
        "capitals_no_id": adults[1],
        "tcvn3": adults[2],
        "vni": adults[3],
        "duplicate": adults[4],
        "child": child,
        "transposed": adults[5],
        "confirmed": adults[6],
        "rejected": adults[7],
        "twin_of": twin_of,
    }
    pid = adults[5]["personal_id"]
    rows = [
        _row(101, adults[0]),
        _row(102, adults[1], **{"Họ và tên": adults[1]["full_name"].upper(), "Số CCCD": ""}),
        _row(103, adults[2], **{"Họ và tên": encode_tcvn3(adults[2]["full_name"]), "Số CCCD": ""}),
        _row(104, adults[3], **{"Họ và tên": encode_vni(adults[3]["full_name"]), "Số CCCD": ""}),
        _row(105, adults[4]),
        _row(106, adults[4], **{"Số CCCD": ""}),
        # A child's row carrying the parent's card: links to the child, never the parent.
        _row(107, child, **{"Số CCCD": parent["personal_id"]}),
        _row(108, adults[5], **{"Số CCCD": pid[:8] + pid[9] + pid[8] + pid[10:]}),
        _row(109, adults[6], **{"Số CCCD": ""}),
        _row(110, adults[7]),
        # An unregistered twin: same everything, another given name, the sibling's card.
        _row(111, twin_of, **{"Họ và tên": twin_name}),
        # The same unregistered twin listed again, without the card.
        _row(112, twin_of, **{"Họ và tên": twin_name.upper(), "Số CCCD": ""}),
    ]
    stages: list[str] = []
    result = link(
        rows,
        pa.Table.from_pylist(register),
        decisions={"109": adults[6]["personal_id"], "110": "rejected"},
        progress=lambda stage, done, total: stages.append(stage),
    )
    people["stages"] = stages
    return result, people


def test_it_links_a_clean_row_by_its_id(scenario: tuple[LinkResult, dict[str, Any]]) -> None:
    result, people = scenario
    row = _by_row(result)["101"]
    assert (row["status"], row["personal_id"], row["method"]) == (
        "matched", people["plain"]["personal_id"], "id_rule",
    )  # fmt: skip
    assert json.loads(row["differences"]) == {}


def test_it_links_names_in_capitals_tcvn3_and_vni_without_an_id(
    scenario: tuple[LinkResult, dict[str, Any]],
) -> None:
    result, people = scenario
    rows = _by_row(result)
    for row_id, key in (("102", "capitals_no_id"), ("103", "tcvn3"), ("104", "vni")):
        assert rows[row_id]["status"] == "matched", row_id
        assert rows[row_id]["personal_id"] == people[key]["personal_id"], row_id
        assert rows[row_id]["method"] == "probabilistic", row_id


def test_it_lists_what_to_correct(scenario: tuple[LinkResult, dict[str, Any]]) -> None:
    result, people = scenario
    row = _by_row(result)["102"]
    differences = json.loads(row["differences"])
    assert differences["full_name"] == [people["capitals_no_id"]["full_name"].upper(),
                                        people["capitals_no_id"]["full_name"]]  # fmt: skip
    assert differences["personal_id"] == [None, people["capitals_no_id"]["personal_id"]]


def test_it_explains_a_probabilistic_link(scenario: tuple[LinkResult, dict[str, Any]]) -> None:
    result, _ = scenario
    explanation = _by_row(result)["103"]["explanation"]
    assert "tên / given name (exact)" in explanation
    assert "ngày sinh / date of birth (exact)" in explanation
    assert "thiếu / missing: số định danh / ID number" in explanation


def test_it_flags_a_duplicate_inside_the_extract(scenario: tuple[LinkResult, dict[str, Any]]) -> None:
    result, people = scenario
    rows = _by_row(result)
    assert rows["105"]["duplicate_of"] is None
    assert rows["106"]["duplicate_of"] == "105"
    assert rows["106"]["personal_id"] == people["duplicate"]["personal_id"]


def test_it_never_links_a_child_to_the_parent_whose_card_it_carries(
    scenario: tuple[LinkResult, dict[str, Any]],
) -> None:
    result, people = scenario
    row = _by_row(result)["107"]
    assert row["personal_id"] == people["child"]["personal_id"]
    assert row["status"] == "matched"


def test_it_links_a_transposed_id_when_the_rest_agrees(
    scenario: tuple[LinkResult, dict[str, Any]],
) -> None:
    result, people = scenario
    row = _by_row(result)["108"]
    assert (row["status"], row["personal_id"]) == ("matched", people["transposed"]["personal_id"])
    assert "ID one digit off" in row["explanation"]


def test_it_never_links_an_unregistered_twin_to_the_sibling(
    scenario: tuple[LinkResult, dict[str, Any]],
) -> None:
    result, _ = scenario
    row = _by_row(result)["111"]
    assert row["status"] == "unmatched"
    assert row["personal_id"] is None


def test_it_flags_a_person_listed_twice_whom_the_register_lacks(
    scenario: tuple[LinkResult, dict[str, Any]],
) -> None:
    result, _ = scenario
    rows = _by_row(result)
    assert (rows["112"]["status"], rows["112"]["duplicate_of"]) == ("unmatched", "111")
    assert rows["111"]["duplicate_of"] is None


def test_it_reuses_prior_review_decisions(scenario: tuple[LinkResult, dict[str, Any]]) -> None:
    result, people = scenario
    rows = _by_row(result)
    assert (rows["109"]["status"], rows["109"]["personal_id"], rows["109"]["method"]) == (
        "matched", people["confirmed"]["personal_id"], "decision",
    )  # fmt: skip
    assert (rows["110"]["status"], rows["110"]["personal_id"]) == ("unmatched", None)


def test_it_reports_progress_and_keeps_extract_order(
    scenario: tuple[LinkResult, dict[str, Any]],
) -> None:
    result, people = scenario
    assert [r["row_id"] for r in result.rows()] == [str(n) for n in range(101, 113)]
    assert {"read", "normalise", "id_rules", "train", "score", "decide"} <= set(people["stages"])
    assert result.stats["rows"] == 12


def test_it_reads_an_extract_file_and_writes_the_result(register: list[dict[str, Any]], tmp_path: Path) -> None:
    person = _adults(register)[20]
    extract = tmp_path / "extract.csv"
    extract.write_text(
        "HO_TEN;NGAY_SINH;GIOI_TINH;SO_CCCD\n"
        f"{person['full_name']};{_dmy(person['birth_date'])};{person['sex']};'{person['personal_id']}\n",
        encoding="utf-8",
    )
    result = link(extract, pa.Table.from_pylist(register))
    out = tmp_path / "result.csv"
    result.to_csv(out)
    assert result.table.column("row_id").to_pylist() == ["1"]
    assert result.table.column("personal_id").to_pylist() == [person["personal_id"]]
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith('"row_id","personal_id","status"')


def test_it_takes_the_register_as_a_duckdb_relation_or_parquet(register: list[dict[str, Any]], tmp_path: Path) -> None:
    import duckdb
    import pyarrow.parquet as pq

    person = _adults(register)[30]
    rows = [_row(1, person, **{"Số CCCD": ""})]
    table = pa.Table.from_pylist(register)
    pq.write_table(table, tmp_path / "register.parquet")
    con = duckdb.connect()
    relation = con.from_arrow(table)
    for source in (relation, str(tmp_path / "register.parquet")):
        result = link(rows, source)
        assert result.table.column("personal_id").to_pylist() == [person["personal_id"]]
        assert result.table.column("status").to_pylist() == ["matched"]


def test_it_reads_commune_codes_of_either_era(register: list[dict[str, Any]]) -> None:
    from dancu.core import units

    # A former commune that became this person's commune as a whole (not split).
    person, former = next(
        (p, old.code)
        for p in _adults(register)
        for old in units.predecessors(p["commune_code"])
        if [u.code for u in units.successors(old.code)] == [p["commune_code"]]
    )
    rows = [
        {"HO_TEN": person["full_name"], "NGAY_SINH": _dmy(person["birth_date"]), "MA_XA": former},
    ]
    result = link(rows, pa.Table.from_pylist(register))
    row = next(result.rows())
    assert (row["status"], row["personal_id"]) == ("matched", person["personal_id"])
    assert "địa chỉ / address (same commune)" in row["explanation"]


def test_it_ignores_notes_in_brackets_after_a_name(register: list[dict[str, Any]]) -> None:
    person = _adults(register)[50]
    rows = [_row(1, person, **{"Họ và tên": f"{person['full_name']} (chủ hộ).", "Số CCCD": ""})]
    row = next(link(rows, pa.Table.from_pylist(register)).rows())
    assert (row["status"], row["personal_id"]) == ("matched", person["personal_id"])
    assert "tên / given name (exact)" in row["explanation"]
