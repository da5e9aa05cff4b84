"""Forms of one name that real lists use everywhere are the same name; a relative's name is not.

"Vi" and "Vy", "Sĩ" and "Sỹ" are two spellings of one name (the final "y" of a
consonant-and-"y" syllable), "Thuỷ" and "Thủy" two placements of one tone mark;
"NGUYEN T. LAN" and "N.T. Lan" write Nguyễn Thị Lan's surname and middle name as
initials. A twin or sibling still carries another real name, and another person's
card beside it links nothing.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from dancu.core.text import split_name
from dancu.linkage.engine.messy import register_rows
from dancu.linkage.engine.pipeline import LinkResult, link
from dancu.linkage.engine.prepare import _i_for_y
from dancu.registry.synthetic import generate_province


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("vy", "vi"),
        ("vi", "vi"),
        ("sỹ", "sĩ"),
        ("sĩ", "sĩ"),
        ("quý", "quí"),
        ("lý", "lí"),
        ("kỳ", "kì"),
        ("huy", "huy"),
        ("thủy", "thủy"),
        ("duy", "duy"),
        ("y", "y"),
        ("uy", "uy"),
        ("ngọc", "ngọc"),
    ],
)
def test_i_for_y_keys_a_final_y_after_consonants_as_i(word: str, key: str) -> None:
    assert _i_for_y(word) == key


def _renamed(person: dict[str, Any], given: str, **changes: Any) -> dict[str, Any]:
    parts = split_name(person["full_name"])
    return {**person, "full_name": f"{parts.surname} {parts.middle} {given}", **changes}


def _row(number: int, person: dict[str, Any], name: str, *, card: bool) -> dict[str, Any]:
    return {
        "STT": number,
        "Họ và tên": name,
        "Ngày sinh": person["birth_date"],
        "Giới tính": person["sex"],
        "Số CCCD": person["personal_id"] if card else "",
        "Địa chỉ": f"{person['commune_name']}, Thành phố Hải Phòng",
    }


@pytest.fixture(scope="module")
def linked() -> tuple[LinkResult, dict[str, dict[str, Any]]]:
    register = register_rows(generate_province(3000, seed=33))
    women = [
        i
        for i, p in enumerate(register)
        if p["sex"] == "Nữ" and len(p["birth_date"]) == 10 and "1960" < p["birth_date"] < "2005"
    ]
    men = [
        i
        for i, p in enumerate(register)
        if p["sex"] == "Nam" and len(p["birth_date"]) == 10 and "1960" < p["birth_date"] < "2005"
    ]
    register[women[0]] = _renamed(register[women[0]], "Vy")
    register[women[1]] = _renamed(register[women[1]], "Thủy")
    register[men[0]] = _renamed(register[men[0]], "Sỹ")
    # twins: the registered one is Vy, the other (Vân) is not in the register
    register[women[2]] = _renamed(register[women[2]], "Vy")
    with_middle = [i for i in women[3:] + men[1:] if split_name(register[i]["full_name"]).middle]
    initials, middle_initial = register[with_middle[0]], register[with_middle[1]]
    # given names other than theirs, real ones (a sibling's)
    other = next(
        split_name(p["full_name"]).given
        for p in register
        if split_name(p["full_name"]).given != split_name(initials["full_name"]).given
    )
    people = {
        "vy": register[women[0]],
        "thuy": register[women[1]],
        "sy": register[men[0]],
        "twin": register[women[2]],
        "initials": initials,
        "middle_initial": middle_initial,
    }
    short = split_name(initials["full_name"])
    letters = "".join(w[0] + "." for w in (short.surname, *short.middle.split()))
    cut = split_name(middle_initial["full_name"])
    cut_name = f"{cut.surname} {' '.join(w[0] + '.' for w in cut.middle.split())} {cut.given}"
    vy, thuy, sy, twin = (split_name(people[k]["full_name"]) for k in ("vy", "thuy", "sy", "twin"))
    rows = [
        # the person's own card, the other spelling of the given name
        _row(1, people["vy"], f"{vy.surname} {vy.middle} Vi", card=True),
        # no card, the other spelling, full date and commune
        _row(2, people["sy"], f"{sy.surname.upper()} {sy.middle.upper()} SĨ", card=False),
        # the old tone placement
        _row(3, people["thuy"], f"{thuy.surname} {thuy.middle} Thuỷ", card=False),
        # the unregistered twin, with the registered twin's card
        _row(4, people["twin"], f"{twin.surname} {twin.middle} Vân", card=True),
        # surname and middle name as initials, the person's own card, only the year
        {**_row(5, initials, f"{letters} {short.given}", card=True), "Ngày sinh": initials["birth_date"][:4]},
        # the middle name cut to its initial, no card, the day and month unknown
        {
            **_row(6, middle_initial, cut_name.upper(), card=False),
            "Ngày sinh": f"01/01/{middle_initial['birth_date'][:4]}",
        },
        # the same initials and card with another real given name: a sibling
        _row(7, initials, f"{letters} {other}", card=True),
    ]
    return link(rows, pa.Table.from_pylist(register)), people


def _rows(result: LinkResult) -> dict[str, dict[str, Any]]:
    return {r["row_id"]: r for r in result.rows()}


def test_it_links_the_other_spelling_beside_the_persons_own_card(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["1"]
    assert (row["status"], row["personal_id"]) == ("matched", people["vy"]["personal_id"])
    assert row["method"] == "id_rule"


def test_it_links_the_other_spelling_without_a_card(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["2"]
    assert (row["status"], row["personal_id"]) == ("matched", people["sy"]["personal_id"])


def test_it_links_the_old_tone_placement(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["3"]
    assert (row["status"], row["personal_id"]) == ("matched", people["thuy"]["personal_id"])


def test_it_never_links_a_twin_on_the_registered_twins_card(linked: tuple[LinkResult, Any]) -> None:
    result, _ = linked
    assert _rows(result)["4"]["status"] != "matched"


def test_it_links_initials_for_surname_and_middle_name_beside_the_card(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["5"]
    assert (row["status"], row["personal_id"]) == ("matched", people["initials"]["personal_id"])


def test_it_links_a_middle_name_cut_to_its_initial(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["6"]
    assert (row["status"], row["personal_id"]) == ("matched", people["middle_initial"]["personal_id"])
    assert "initials" in row["explanation"]


def test_it_never_links_initials_with_another_given_name_on_the_card(linked: tuple[LinkResult, Any]) -> None:
    result, _ = linked
    assert _rows(result)["7"]["status"] != "matched"
