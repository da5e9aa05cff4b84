"""A slip of the pen in a name is not another person; a relative's real name is.

A misspelt given name or surname makes a word the register (nearly) never uses
there, while a twin or sibling carries a real name: the first links by itself
beside the person's own card, the second never links confidently.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa
import pytest

from dancu.core.text import fold, split_name
from dancu.linkage.engine.messy import register_rows
from dancu.linkage.engine.pipeline import LinkResult, link
from dancu.registry.synthetic import generate_province


@pytest.fixture(scope="module")
def register() -> list[dict[str, Any]]:
    return register_rows(generate_province(3000, seed=33))


def _row(number: int, person: dict[str, Any], **changes: Any) -> dict[str, Any]:
    row = {
        "STT": number,
        "Họ và tên": person["full_name"],
        "Ngày sinh": person["birth_date"][:4],
        "Giới tính": person["sex"],
        "Số CCCD": person["personal_id"],
        "Địa chỉ": f"{person['commune_name']}, Thành phố Hải Phòng",
    }
    row.update(changes)
    return row


def _one_letter_apart(a: str, b: str) -> bool:
    a, b = fold(a), fold(b)
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@pytest.fixture(scope="module")
def linked(register: list[dict[str, Any]]) -> tuple[LinkResult, dict[str, Any]]:
    given_counts = Counter(split_name(p["full_name"]).given for p in register)
    adults = [p for p in register if len(p["birth_date"]) == 10 and "1950" < p["birth_date"] < "2000"]
    # Someone whose given name has a real name one letter away (An/Anh, Minh/Minh…).
    sibling_of, sibling_name = next(
        (p, other)
        for p in adults[3:]
        for other, n in given_counts.items()
        if n >= 5 and other != split_name(p["full_name"]).given
        and _one_letter_apart(other, split_name(p["full_name"]).given)
    )  # fmt: skip
    people = {"typo": adults[0], "surname_typo": adults[1], "no_middle": adults[2], "sibling_of": sibling_of}
    typo = split_name(adults[0]["full_name"])
    surname = split_name(adults[1]["full_name"])
    no_middle = split_name(adults[2]["full_name"])
    sibling = split_name(sibling_of["full_name"])
    rows = [
        # the person's own card, the given name misspelt, only the birth year
        _row(1, adults[0], **{"Họ và tên": f"{typo.surname} {typo.middle} {typo.given}{typo.given[-1]}"}),
        # no card, a letter of the surname doubled, only the birth year
        _row(2, adults[1], **{"Họ và tên": f"{surname.surname}{surname.surname[-1]} {surname.middle} {surname.given}",
                              "Số CCCD": ""}),
        # no card, the middle name left out, only the birth year
        _row(3, adults[2], **{"Họ và tên": f"{no_middle.surname} {no_middle.given}", "Số CCCD": ""}),
        # the sibling's card on a row with another real given name, one letter away
        _row(4, sibling_of, **{"Họ và tên": f"{sibling.surname} {sibling.middle} {sibling_name}",
                               "Ngày sinh": sibling_of["birth_date"]}),
    ]  # fmt: skip
    return link(rows, pa.Table.from_pylist(register)), people


def _rows(result: LinkResult) -> dict[str, dict[str, Any]]:
    return {r["row_id"]: r for r in result.rows()}


def test_it_links_a_misspelt_given_name_beside_the_persons_own_card(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["1"]
    assert (row["status"], row["personal_id"]) == ("matched", people["typo"]["personal_id"])
    assert "given name misspelt" in row["explanation"]


def test_it_links_a_misspelt_surname_with_the_birth_year_only(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["2"]
    assert (row["status"], row["personal_id"]) == ("matched", people["surname_typo"]["personal_id"])


def test_it_links_a_name_without_its_middle_name(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["3"]
    assert (row["status"], row["personal_id"]) == ("matched", people["no_middle"]["personal_id"])


def test_it_never_links_another_real_given_name_on_the_siblings_card(linked: tuple[LinkResult, Any]) -> None:
    result, _ = linked
    assert _rows(result)["4"]["status"] != "matched"


def test_a_misspelt_copy_of_a_row_leaves_the_right_copy_matched(register: list[dict[str, Any]]) -> None:
    # The same person twice: once as the register writes them, with the card; once with
    # a slip in the given name and no card, yet with everything else (scored higher).
    person = next(
        p for p in register if len(p["birth_date"]) == 10 and "1950" < p["birth_date"] < "2000" and p["phone"]
    )
    surname_and_middle, given = person["full_name"].rsplit(" ", 1)
    full = {
        "Ngày sinh": f"{person['birth_date'][8:10]}/{person['birth_date'][5:7]}/{person['birth_date'][:4]}",
        "Địa chỉ": f"{person['address_line']}, {person['commune_name']}, Thành phố Hải Phòng",
        "Điện thoại": person["phone"],
    }
    rows = [
        _row(1, person, **full),
        _row(2, person, **full, **{"Họ và tên": f"{surname_and_middle} {given}q", "Số CCCD": ""}),
    ]
    result = {r["row_id"]: r for r in link(rows, pa.Table.from_pylist(register)).rows()}
    assert [(result[n]["status"], result[n]["personal_id"]) for n in ("1", "2")] == [
        ("matched", person["personal_id"]),
        ("matched", person["personal_id"]),
    ]
