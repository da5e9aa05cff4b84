"""An extract row that still gives the address from before a move the register knows of.

The register keeps a person's other residences (``former_commune_codes``: earlier
permanent ones, temporary ones); an agency's list is often not told of a move. Such
an address is evidence like the current one; a commune the person never lived in is not.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from dancu.core import units
from dancu.linkage.engine.messy import register_rows
from dancu.linkage.engine.pipeline import LinkResult, link
from dancu.registry.synthetic import generate_province


@pytest.fixture(scope="module")
def register() -> list[dict[str, Any]]:
    return register_rows(generate_province(3000, seed=43))


def _commune_name(code: str) -> str:
    return units.get_unit(code, "current").name


def _row(number: int, person: dict[str, Any], commune_code: str) -> dict[str, Any]:
    return {
        "STT": number,
        "Họ và tên": person["full_name"],
        "Ngày sinh": person["birth_date"][:4],
        "Giới tính": person["sex"],
        "Địa chỉ": f"{_commune_name(commune_code)}, Thành phố Hải Phòng",
    }


@pytest.fixture(scope="module")
def linked(register: list[dict[str, Any]]) -> tuple[LinkResult, dict[str, Any]]:
    communes = {p["commune_code"] for p in register}
    moved = [p for p in register if p["former_commune_codes"] and "1950" < p["birth_date"][:4] < "2000"]
    mover, other = moved[0], moved[1]
    # a commune neither of them ever lived in
    elsewhere = next(
        c
        for c in sorted(communes)
        if c
        not in {
            mover["commune_code"],
            mover["former_commune_codes"],
            other["commune_code"],
            other["former_commune_codes"],
        }
    )
    rows = [
        _row(1, mover, mover["former_commune_codes"]),
        _row(2, other, other["former_commune_codes"]),
        _row(3, mover, elsewhere),
    ]
    return link(rows, pa.Table.from_pylist(register)), {"mover": mover, "other": other}


def _by_row(result: LinkResult) -> dict[str, dict[str, Any]]:
    return {r["row_id"]: r for r in result.rows()}


def test_an_earlier_residence_counts_like_the_current_one(linked: tuple[LinkResult, dict[str, Any]]) -> None:
    result, people = linked
    rows = _by_row(result)
    for number, who in (("1", "mover"), ("2", "other")):
        assert (rows[number]["status"], rows[number]["personal_id"]) == ("matched", people[who]["personal_id"])
        assert "an earlier or other residence" in rows[number]["explanation"]


def test_a_commune_never_lived_in_is_no_such_evidence(linked: tuple[LinkResult, dict[str, Any]]) -> None:
    result, _ = linked
    rows = _by_row(result)
    assert "địa chỉ / address (same province)" in rows["3"]["explanation"]
    assert rows["3"]["score"] < rows["1"]["score"]


def test_the_correction_list_still_gives_the_current_commune(linked: tuple[LinkResult, dict[str, Any]]) -> None:
    result, people = linked
    row = _by_row(result)["1"]
    assert '"address"' in row["differences"]
    assert people["mover"]["commune_name"] in row["differences"]
