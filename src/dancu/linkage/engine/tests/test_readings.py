"""A damaged name is read the way the register writes it only when one reading fits.

OCR letter confusions ("Narn" for "Nam"), the given name written first, the Western
order and a courtesy title before a rare surname are read back; a twin's or a
sibling's real name is never read into the registered person's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from dancu.core.text import fold, split_name
from dancu.linkage.engine.messy import register_rows
from dancu.linkage.engine.pipeline import LinkResult, link
from dancu.linkage.engine.readings import ocr_repairer, read_name_order
from dancu.registry.synthetic import generate_province


def test_it_undoes_one_ocr_confusion_into_a_register_word() -> None:
    repair = ocr_repairer(present={"nguyen", "van", "nam", "linh", "dung"}, known={"nguyen", "van", "nam", "dung"})
    assert repair("Narn") == "nam"
    assert repair("Ngiiyễn") == "nguyễn"
    assert repair("Dũrig") == "dũng"
    assert repair("Clũng") == "dũng"


def test_it_leaves_a_register_word_and_an_unreadable_word_alone() -> None:
    # "linh" holds "li" (an OCR "h") but is a word the register uses: never touched.
    repair = ocr_repairer(present={"linh", "hnh", "hoa", "hao"}, known={"linh", "hnh", "hoa", "hao"})
    assert repair("Linh") == "Linh"
    # "Hoo" may be "Hoa" or "Hao": two readings, none chosen.
    assert repair("Hoo") == "Hoo"
    # No confusion undone gives a word the register uses.
    assert repair("Xyz") == "Xyz"


@pytest.fixture(scope="module")
def register() -> list[dict[str, Any]]:
    return register_rows(generate_province(3000, seed=33))


def _row(number: int, person: dict[str, Any], name: str, **changes: Any) -> dict[str, Any]:
    row = {
        "STT": number,
        "Họ và tên": name,
        "Ngày sinh": person["birth_date"],
        "Giới tính": person["sex"],
        "Số CCCD": "",
        "Địa chỉ": f"{person['commune_name']}, Thành phố Hải Phòng",
    }
    row.update(changes)
    return row


@pytest.fixture(scope="module")
def linked(register: list[dict[str, Any]]) -> tuple[LinkResult, dict[str, dict[str, Any]]]:
    names = Counter(fold(p["full_name"]) for p in register)
    words = Counter(w for p in register for w in fold(p["full_name"]).split())
    surnames = Counter(fold(split_name(p["full_name"]).surname) for p in register)
    given_names = Counter(fold(split_name(p["full_name"]).given) for p in register)
    full = [
        p
        for p in register
        if len(p["birth_date"]) == 10 and len(p["full_name"].split()) == 3 and names[fold(p["full_name"])] == 1
    ]
    # A given name with an "m" that OCR turns into "rn" (Nam, Tâm, Lâm, …).
    ocr = next(
        p for p in full if "m" in split_name(p["full_name"]).given[1:] and words[fold(p["full_name"]).split()[0]] >= 3
    )
    given_first, western, swapped = [p for p in full if p is not ocr and len(set(fold(p["full_name"]).split())) == 3][
        :3
    ]
    rare = next(p for p in full if surnames[fold(split_name(p["full_name"]).surname)] < 3)
    # An unregistered twin: the registered one's surname, middle name and birth date,
    # another real given name with an "m" in it, damaged by OCR.
    twin_of = next(p for p in full if p is not ocr and "m" not in fold(split_name(p["full_name"]).given))
    twin_given = next(
        g
        for g, n in given_names.most_common()
        if n >= 3 and "m" in g[1:] and g != fold(split_name(twin_of["full_name"]).given)
    )
    titled = next(p for p in full if p not in (ocr, given_first, western, swapped, rare, twin_of))
    people = {
        "ocr": ocr,
        "given_first": given_first,
        "western": western,
        "rare": rare,
        "swapped": swapped,
        "twin_of": twin_of,
        "titled": titled,
    }

    o = split_name(ocr["full_name"])
    g = split_name(given_first["full_name"])
    w = split_name(western["full_name"])
    s = split_name(swapped["full_name"])
    t = split_name(twin_of["full_name"])
    h = split_name(titled["full_name"])
    title = "Ông" if rare["sex"] == "Nam" else "Bà"
    rows = [
        _row(1, ocr, f"{o.surname} {o.middle} {o.given[0]}{o.given[1:].replace('m', 'rn', 1)}"),
        _row(2, given_first, f"{g.given} {g.surname} {g.middle}"),
        _row(3, western, f"{w.middle} {w.given} {w.surname}".upper(), **{"Số CCCD": western["personal_id"]}),
        _row(4, rare, f"{title} {rare['full_name']}"),
        # the middle and given names swapped: a sibling's name, not a reordering
        _row(5, swapped, f"{s.surname} {s.given} {s.middle}"),
        # the twin's real name, OCR-damaged and written given-name first, the registered
        # twin's card on the row
        _row(6, twin_of, f"{twin_given.replace('m', 'rn', 1).title()} {t.surname} {t.middle}",
             **{"Số CCCD": twin_of["personal_id"]}),
        # a title and the given name first together
        _row(7, titled, f"{'Ông' if titled['sex'] == 'Nam' else 'Bà'} {h.given} {h.surname} {h.middle}"),
    ]  # fmt: skip
    return link(rows, pa.Table.from_pylist(register)), people


def _rows(result: LinkResult) -> dict[str, dict[str, Any]]:
    return {r["row_id"]: r for r in result.rows()}


def test_it_links_a_name_with_an_ocr_confusion(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["1"]
    assert (row["status"], row["personal_id"]) == ("matched", people["ocr"]["personal_id"])


def test_it_links_a_name_written_given_name_first(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["2"]
    assert (row["status"], row["personal_id"]) == ("matched", people["given_first"]["personal_id"])


def test_it_links_a_name_in_the_western_order_beside_the_persons_card(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["3"]
    assert (row["status"], row["personal_id"]) == ("matched", people["western"]["personal_id"])
    assert row["method"] == "id_rule"


def test_it_links_a_courtesy_title_before_a_rare_surname(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["4"]
    assert (row["status"], row["personal_id"]) == ("matched", people["rare"]["personal_id"])
    # read without the title, not linked in spite of it
    assert "surname, middle name (exact)" in row["explanation"]


def test_it_never_reads_a_siblings_swapped_names_as_the_person(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["5"]
    assert not (row["status"] == "matched" and row["personal_id"] == people["swapped"]["personal_id"])


def test_it_never_links_a_twins_damaged_reordered_name_to_the_registered_twin(linked: tuple[LinkResult, Any]) -> None:
    result, _ = linked
    assert _rows(result)["6"]["status"] != "matched"


def test_it_links_a_name_with_a_title_and_the_given_name_first(linked: tuple[LinkResult, Any]) -> None:
    result, people = linked
    row = _rows(result)["7"]
    assert (row["status"], row["personal_id"]) == ("matched", people["titled"]["personal_id"])


def _readings(written: list[tuple[str, str, int]], register: list[tuple[str, int]]) -> dict[str, str]:
    """``read_name_order`` on rows (uid, name, birth year) against people (name, birth year)."""
    con = duckdb.connect()
    con.sql("CREATE TABLE reg (name_x VARCHAR, name_f VARCHAR, surname_f VARCHAR, given_f VARCHAR, dob_year INT)")
    for name, year in register:
        words = fold(name).split()
        con.execute("INSERT INTO reg VALUES (?, ?, ?, ?, ?)", [name.lower(), fold(name), words[0], words[-1], year])
    con.sql(
        "ALTER TABLE reg ADD COLUMN dob_md VARCHAR; ALTER TABLE reg ADD COLUMN pid VARCHAR; "
        "ALTER TABLE reg ADD COLUMN old_id VARCHAR; ALTER TABLE reg ADD COLUMN phone VARCHAR; "
        "ALTER TABLE reg ADD COLUMN commune VARCHAR"
    )
    con.sql("CREATE TABLE ext AS SELECT * EXCLUDE (surname_f, given_f, commune) FROM reg WHERE false")
    con.sql("ALTER TABLE ext ADD COLUMN uid VARCHAR; ALTER TABLE ext ADD COLUMN communes VARCHAR[]")
    for uid, name, year in written:
        con.execute(
            "INSERT INTO ext (uid, name_x, name_f, dob_year, communes) VALUES (?, ?, ?, ?, [])",
            [uid, name.lower(), fold(name), year],
        )
    con.sql("CREATE TABLE names AS SELECT DISTINCT name_f FROM reg")
    con.sql("CREATE TABLE surnames AS SELECT surname_f AS surname FROM reg GROUP BY 1 HAVING count(*) >= 2")
    read_name_order(con, "ext", "reg", "names", "surnames", "out")
    return dict(con.sql("SELECT uid, name FROM out").fetchall())


def test_it_reads_a_name_round_only_when_the_written_order_fits_nobody() -> None:
    register = [
        ("Nguyễn Văn Hùng", 1980),
        ("Nguyễn Thị Lan", 1980),
        ("Lê Thanh Xuân", 1990),
        ("Lê Ngọc Yến", 1990),
        ("Lê Văn Nam", 1990),
        ("Ngọ Yến Lê", 1990),
        ("Ngọ Văn An", 1970),
    ]
    written = [
        ("given first", "Hùng Nguyễn Văn", 1980),
        ("western", "Văn Hùng Nguyễn", 1980),
        ("titled", "Ông Hùng Nguyễn Văn", 1980),
        ("sibling", "Lê Xuân Thanh", 1990),
        # a slip in "Ngọc" whose rotation happens to be a register name: a Lê … Yến
        # born that year says the name is written the usual way
        ("slip", "Lê Ngọ Yến", 1990),
        ("other year", "Hùng Nguyễn Văn", 1950),
    ]
    assert _readings(written, register) == {
        "given first": "nguyễn văn hùng",
        "western": "nguyễn văn hùng",
        "titled": "nguyễn văn hùng",
    }
