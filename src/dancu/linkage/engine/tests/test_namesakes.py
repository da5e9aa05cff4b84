"""Two registered people of one name, birth year and commune: what tells them apart.

An extract row with only the birth year cannot choose between them by name, date
and commune. The house (number and street) its address starts with can, since
namesakes rarely share one; a village is some evidence; without either the row is
a question for a person.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest

from dancu.linkage.engine.messy import register_rows
from dancu.linkage.engine.pipeline import LinkResult, link
from dancu.linkage.engine.prepare import line_key_sql
from dancu.registry.synthetic import generate_province


@pytest.fixture(scope="module")
def register() -> list[dict[str, Any]]:
    return register_rows(generate_province(3000, seed=41))


def _namesake(register: list[dict[str, Any]], person: dict[str, Any], line: str) -> dict[str, Any]:
    """Another registered person with ``person``'s name, birth year and commune, living at ``line``."""
    taken = {p["personal_id"] for p in register}
    pid = next(
        f"{person['personal_id'][:6]}{n:06d}"
        for n in range(1, 10**6)
        if f"{person['personal_id'][:6]}{n:06d}" not in taken
    )
    day = "03-14" if person["birth_date"][5:] != "03-14" else "09-21"
    return person | {
        "personal_id": pid,
        "birth_date": f"{person['birth_date'][:4]}-{day}",
        "old_id_number": "",
        "household_id": "HPNAMESAKE01",
        "father_id": "",
        "mother_id": "",
        "spouse_id": "",
        "address_line": line,
        "phone": "",
    }


def _row(number: int, person: dict[str, Any], first_part: str) -> dict[str, Any]:
    return {
        "STT": number,
        "Họ và tên": person["full_name"],
        "Ngày sinh": person["birth_date"][:4],
        "Giới tính": person["sex"],
        "Địa chỉ": ", ".join(p for p in (first_part, person["commune_name"], "Thành phố Hải Phòng") if p),
    }


@pytest.fixture(scope="module")
def linked(register: list[dict[str, Any]]) -> tuple[LinkResult, dict[str, Any]]:
    adults = [p for p in register if len(p["birth_date"]) == 10 and "1950" < p["birth_date"] < "2000"]
    urban = next(p for p in adults if p["address_line"].startswith("Số "))
    rural = next(p for p in adults if p["address_line"].startswith("Thôn "))
    urban_twin = _namesake(register, urban, "Số 7 ngõ 12 Đường Mới")
    rural_twin = _namesake(register, rural, "Thôn Hạ Đoạn Mới")
    rows = [
        # the house written as the register has it, in capitals and without "Số"
        _row(1, urban, urban["address_line"].upper().removeprefix("SỐ ")),
        _row(2, urban_twin, urban_twin["address_line"]),
        _row(3, rural, rural["address_line"]),
        # no house or village: the two cannot be told apart
        _row(4, urban, ""),
        # a house neither of them lives at
        _row(5, urban, "Số 250 ngõ 999 Phố Khác"),
    ]
    people = {"urban": urban, "urban_twin": urban_twin, "rural": rural}
    table = pa.Table.from_pylist([*register, urban_twin, rural_twin])
    return link(rows, table), people


def _by_row(result: LinkResult) -> dict[str, dict[str, Any]]:
    return {r["row_id"]: r for r in result.rows()}


def test_the_house_tells_namesakes_of_one_year_and_commune_apart(linked: tuple[LinkResult, dict[str, Any]]) -> None:
    result, people = linked
    rows = _by_row(result)
    assert (rows["1"]["status"], rows["1"]["personal_id"]) == ("matched", people["urban"]["personal_id"])
    assert (rows["2"]["status"], rows["2"]["personal_id"]) == ("matched", people["urban_twin"]["personal_id"])
    assert "same commune, same house" in rows["1"]["explanation"]


def test_the_village_points_to_the_right_namesake(linked: tuple[LinkResult, dict[str, Any]]) -> None:
    # A commune has some ten villages: sharing one is evidence, not enough alone to
    # choose between two namesakes, so the right one is proposed for review.
    result, people = linked
    row = _by_row(result)["3"]
    assert (row["status"], row["personal_id"]) == ("review", people["rural"]["personal_id"])
    assert "same commune, same street or village" in row["explanation"]


def test_without_a_house_namesakes_go_to_review(linked: tuple[LinkResult, dict[str, Any]]) -> None:
    result, _ = linked
    rows = _by_row(result)
    assert rows["4"]["status"] == "review"
    assert rows["5"]["status"] == "review"


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("Số 50 ngách 23 ngõ 6 Cù Chính Lan, Phường Hải An", "50 ngach 23 ngo 6 cu chinh lan"),
        ("SỐ NHÀ 12  LÊ LỢI - Phường Gia Viên - TP Hải Phòng", "12 le loi"),
        ("Thôn Chi Lai; Xã Hùng Thắng", "thon chi lai"),
        ("Đường Đông | Xã A", "duong dong"),
        ("Số 1", None),
        ("", None),
        (None, None),
    ],
)
def test_the_line_key_is_the_folded_first_part_of_an_address(address: str | None, key: str | None) -> None:
    con = duckdb.connect()
    assert con.execute(f"SELECT {line_key_sql('a')} FROM (SELECT ?::VARCHAR AS a)", [address]).fetchall() == [(key,)]  # noqa: S608  # our own SQL around a bound parameter


def test_the_house_finds_the_person_when_the_row_has_no_date_and_no_commune(register: list[dict[str, Any]]) -> None:
    person = next(p for p in register if p["address_line"].startswith("Số ") and len(p["birth_date"]) == 10)
    rows = [
        {
            "STT": 1,
            "Họ và tên": person["full_name"],
            "Ngày sinh": "",
            "Địa chỉ": f"{person['address_line']}, Thành phố Hải Phòng",
        }
    ]
    row = next(link(rows, pa.Table.from_pylist(register)).rows())
    assert row["personal_id"] == person["personal_id"]
    assert row["status"] in ("matched", "review")


def test_the_house_finds_the_person_behind_a_misspelt_given_name(register: list[dict[str, Any]]) -> None:
    people = [p for p in register if p["address_line"].startswith("Số ") and "1950" < p["birth_date"][:4] < "2000"]
    person = people[0]
    surname_and_middle, given = person["full_name"].rsplit(" ", 1)
    misspelt = f"{surname_and_middle} {given}q"  # a given name nobody has
    rows = [_row(1, person | {"full_name": misspelt}, person["address_line"])]
    row = next(link(rows, pa.Table.from_pylist(register)).rows())
    assert (row["status"], row["personal_id"]) == ("matched", person["personal_id"])
