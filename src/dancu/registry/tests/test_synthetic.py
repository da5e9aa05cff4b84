"""Tests for the synthetic province: determinism, valid IDs, coherent households, real places."""

from __future__ import annotations

import csv
import itertools
import pickle
import random
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from dancu.core import units
from dancu.core.personal_id import check_consistency, is_old_id_number, parse_personal_id
from dancu.registry.synthetic import (
    AS_OF,
    CANONICAL_HEADER,
    EXTRA_HEADER,
    HEADER,
    PersonRow,
    generate_province,
    generate_rows,
    write_csv,
)
from dancu.registry.synthetic.numbers import KeyedPermutation, UniqueNumbers
from dancu.registry.synthetic.rows import person_row
from dancu.registry.synthetic.tables import Weighted, cohort, load_name_tables, read_rows

PEOPLE = 20_000


@pytest.fixture(scope="module")
def people() -> list[PersonRow]:
    return list(generate_province(PEOPLE, seed=42))


@pytest.fixture(scope="module")
def by_id(people: list[PersonRow]) -> dict[str, PersonRow]:
    return {p.personal_id: p for p in people}


@pytest.fixture(scope="module")
def households(people: list[PersonRow]) -> dict[str, list[PersonRow]]:
    grouped: dict[str, list[PersonRow]] = defaultdict(list)
    for person in people:
        grouped[person.household_id].append(person)
    return grouped


def _birth_day(person: PersonRow) -> date:
    """The birth date, or 1 July of the year when only the year is known."""
    if len(person.birth_date) == 4:
        return date(int(person.birth_date), 7, 1)
    return date.fromisoformat(person.birth_date)


def _age(person: PersonRow, on: date = AS_OF) -> float:
    return (on - _birth_day(person)).days / 365.2425


# -- shape ---------------------------------------------------------------------------------


def test_it_has_the_canonical_header_then_extras() -> None:
    assert CANONICAL_HEADER == (
        "personal_id",
        "full_name",
        "birth_date",
        "sex",
        "ethnicity",
        "nationality",
        "old_id_number",
        "household_id",
        "relation_to_head",
        "father_id",
        "mother_id",
        "spouse_id",
        "province_code",
        "commune_code",
        "commune_name",
        "address_line",
        "phone",
        "status",
    )
    assert EXTRA_HEADER == ("religion", "birthplace", "hometown", "deceased_date", "former_commune_codes")
    assert HEADER == CANONICAL_HEADER + EXTRA_HEADER
    assert PersonRow.__slots__ == HEADER


def test_it_makes_frozen_rows(people: list[PersonRow]) -> None:
    assert type(people[0]) is PersonRow
    with pytest.raises(AttributeError):
        people[0].full_name = "x"  # type: ignore[misc]  # the point: rows are frozen


def test_it_builds_fast_rows_identical_to_the_constructor() -> None:
    values = tuple(f"v{i}" for i in range(len(HEADER)))
    fast, slow = person_row(values), PersonRow(*values)
    assert type(fast) is PersonRow
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow  # noqa: S301 - our own bytes, just made
    assert fast.deceased_date == "v21"
    with pytest.raises(AttributeError):
        fast.phone = "x"  # type: ignore[misc]  # the point: rows are frozen


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 50, 1001])
def test_it_gives_exactly_the_number_asked(count: int) -> None:
    assert sum(1 for _ in generate_province(count, seed=3)) == count


def test_it_refuses_a_negative_number() -> None:
    with pytest.raises(ValueError, match="people"):
        list(generate_rows(-1, seed=1))


def test_it_streams() -> None:
    rows = generate_province(10**12, seed=1)
    assert next(rows).relation_to_head == "Chủ hộ"


def test_it_keeps_links_inside_the_register_when_the_last_household_is_cut() -> None:
    for count in range(1, 40):
        rows = list(generate_rows(count, seed=count))
        ids = {row[0] for row in rows}
        for row in rows:
            for column in ("father_id", "mother_id", "spouse_id"):
                value = row[HEADER.index(column)]
                assert value == "" or value in ids


# -- determinism ---------------------------------------------------------------------------


def test_it_is_deterministic(people: list[PersonRow]) -> None:
    again = list(generate_province(2_000, seed=42))
    # Only the last household may differ: it is cut short, and links to the cut are blanked.
    last = again[-1].household_id
    assert [p for p in again if p.household_id != last] == [p for p in people[:2_000] if p.household_id != last]
    assert [p.personal_id for p in again] == [p.personal_id for p in people[:2_000]]
    assert list(generate_province(2_000, seed=43)) != again


def test_it_writes_the_same_rows_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "province.csv"
    assert write_csv(path, 500, seed=9) == 500
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == HEADER
        written = [PersonRow(*row) for row in reader]
    assert written == list(generate_province(500, seed=9))
    assert path.read_bytes().startswith(b"personal_id,full_name,birth_date,sex,")


# -- identifiers ---------------------------------------------------------------------------


def test_it_gives_valid_unique_personal_ids_consistent_with_birth_and_sex(
    people: list[PersonRow],
) -> None:
    assert len({p.personal_id for p in people}) == len(people)
    for person in people:
        pid = parse_personal_id(person.personal_id, today=AS_OF)
        check_consistency(pid, birth_year=int(person.birth_date[:4]), sex=person.sex)


def test_it_registers_most_births_in_the_area_people_live(people: list[PersonRow]) -> None:
    # Communes of the former Hải Dương register births as 030, of former Hải Phòng as 031.
    home = {
        unit.code: {f.province_code for f in units.predecessors(unit.code)} for unit in units.communes("current", "31")
    }
    outside = sum(1 for p in people if p.personal_id[1:3] not in home[p.commune_code])
    assert 0.12 <= outside / len(people) <= 0.21
    codes = Counter(p.personal_id[:3] for p in people)
    assert codes.most_common(2)[0][0] in {"030", "031"}
    assert {"030", "031", "034", "001"} <= set(codes)


def test_it_gives_old_cmnd_numbers_to_older_people_only(people: list[PersonRow]) -> None:
    cards = [p for p in people if p.old_id_number]
    assert all(is_old_id_number(p.old_id_number) for p in cards)
    assert len({p.old_id_number for p in cards}) == len(cards)
    assert all(int(p.birth_date[:4]) <= 2001 for p in cards)
    born_before_1998 = [p for p in people if int(p.birth_date[:4]) < 1998]
    with_card = sum(1 for p in born_before_1998 if p.old_id_number) / len(born_before_1998)
    assert 0.8 <= with_card <= 0.9
    # Hải Phòng cards start with 03, Hải Dương cards with 14.
    prefixes = Counter(p.old_id_number[:2] for p in cards)
    assert prefixes["03"] + prefixes["14"] > 0.8 * len(cards)


def test_it_gives_unique_vietnamese_mobile_numbers(people: list[PersonRow]) -> None:
    phones = [p.phone for p in people if p.phone]
    assert len(set(phones)) == len(phones)
    prefixes = {row["prefix"] for row in read_rows("phone_prefixes.csv")}
    assert all(re.fullmatch(r"0[35789][0-9]{8}", phone) for phone in phones)
    assert all(phone[:3] in prefixes for phone in phones)
    adults = [p for p in people if 18 <= _age(p) < 60 and p.status == "alive"]
    assert sum(1 for p in adults if p.phone) / len(adults) > 0.9
    assert not any(p.phone for p in people if _age(p) < 15 or p.status == "deceased")


def test_it_names_households_with_a_prefix_and_a_number(
    households: dict[str, list[PersonRow]], people: list[PersonRow]
) -> None:
    assert all(re.fullmatch(r"HP[0-9]{8}", hid) for hid in households)
    # Each household's members are contiguous: ids never come back once left.
    order = [hid for hid, _ in itertools.groupby(p.household_id for p in people)]
    assert len(order) == len(households)
    assert order[0] == "HP00000001"


# -- households ----------------------------------------------------------------------------


def test_it_makes_exactly_one_living_head_per_household(
    households: dict[str, list[PersonRow]],
) -> None:
    for members in households.values():
        heads = [p for p in members if p.relation_to_head == "Chủ hộ"]
        assert len(heads) == 1
        assert members[0] is heads[0]
        assert heads[0].status == "alive"
        assert _age(heads[0]) >= 18


def test_it_makes_spouses_of_opposite_sex_married_to_each_other(
    people: list[PersonRow], by_id: dict[str, PersonRow]
) -> None:
    married = [p for p in people if p.spouse_id]
    assert len(married) > 0.4 * len(people)
    for person in married:
        spouse = by_id[person.spouse_id]
        assert spouse.spouse_id == person.personal_id
        assert spouse.sex != person.sex
        assert spouse.household_id == person.household_id
        assert abs(_age(spouse) - _age(person)) < 12


def test_it_makes_parents_plausibly_older_than_their_children(
    people: list[PersonRow], by_id: dict[str, PersonRow]
) -> None:
    children = 0
    for person in people:
        born = _birth_day(person)
        if person.mother_id:
            mother = by_id[person.mother_id]
            assert mother.sex == "Nữ"
            assert 17.5 <= _age(mother, born) <= 46
            children += 1
        if person.father_id:
            father = by_id[person.father_id]
            assert father.sex == "Nam"
            assert _age(father, born) >= 15
        for parent_id in (person.father_id, person.mother_id):
            if parent_id and by_id[parent_id].status == "deceased":
                assert by_id[parent_id].deceased_date >= person.birth_date[:10]
    assert children > 0.3 * len(people)


def test_it_gives_children_their_fathers_surname_usually(people: list[PersonRow], by_id: dict[str, PersonRow]) -> None:
    with_father = [p for p in people if p.father_id]
    same = sum(1 for p in with_father if p.full_name.split()[0] == by_id[p.father_id].full_name.split()[0])
    assert 0.95 <= same / len(with_father) < 1.0


def test_it_makes_twins_who_share_birth_date_and_parents(people: list[PersonRow]) -> None:
    births = Counter((p.birth_date, p.mother_id) for p in people if p.mother_id)
    twins = [key for key, count in births.items() if count >= 2]
    assert twins
    babies = sum(births.values())
    assert 0.005 <= sum(births[key] for key in twins) / babies <= 0.025
    for birth_date, mother_id in twins:
        pair = [p for p in people if p.birth_date == birth_date and p.mother_id == mother_id]
        assert len({p.father_id for p in pair}) == 1
        assert len({p.full_name.split()[-1] for p in pair}) == len(pair)


def test_it_uses_the_relations_of_the_household_book(people: list[PersonRow]) -> None:
    relations = Counter(p.relation_to_head for p in people)
    assert set(relations) == {"Chủ hộ", "Vợ", "Chồng", "Con", "Cha", "Mẹ", "Cháu", "Con dâu", "Con rể"}
    assert relations["Con"] > relations["Cháu"] > relations["Con rể"]


def test_it_makes_households_of_realistic_size(households: dict[str, list[PersonRow]]) -> None:
    sizes = [len(m) for m in households.values()]
    assert 3.2 <= sum(sizes) / len(sizes) <= 3.8
    assert 0.07 <= sizes.count(1) / len(sizes) <= 0.15
    three_generations = sum(1 for m in households.values() if {"Cháu", "Cha", "Mẹ"} & {p.relation_to_head for p in m})
    assert 0.1 <= three_generations / len(households) <= 0.3


def test_it_follows_the_2019_census_age_pyramid(people: list[PersonRow]) -> None:
    alive = [_age(p) for p in people if p.status == "alive"]
    children = sum(1 for a in alive if a < 15) / len(alive)
    old = sum(1 for a in alive if a >= 65) / len(alive)
    assert 0.21 <= children <= 0.27  # census: 24.3%
    assert 0.065 <= old <= 0.105  # census: 7.7%
    assert max(alive) < 106


def test_it_closes_some_records_as_deceased_mostly_old(people: list[PersonRow]) -> None:
    dead = [p for p in people if p.status == "deceased"]
    assert 0.015 <= len(dead) / len(people) <= 0.05
    assert sum(1 for p in dead if _age(p) >= 60) / len(dead) > 0.7
    for person in dead:
        died = date.fromisoformat(person.deceased_date)
        assert _birth_day(person).year <= died.year
        assert died < AS_OF
    assert all(p.deceased_date == "" for p in people if p.status == "alive")
    assert {p.status for p in people} == {"alive", "deceased"}


def test_it_writes_year_only_birth_dates_for_old_people_only(people: list[PersonRow]) -> None:
    year_only = [p for p in people if len(p.birth_date) == 4]
    assert year_only
    assert all(int(p.birth_date) < 1970 for p in year_only)
    assert all(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", p.birth_date) for p in people if len(p.birth_date) != 4)


# -- names ---------------------------------------------------------------------------------


def test_it_draws_nguyen_for_about_38_percent(people: list[PersonRow]) -> None:
    surnames = Counter(p.full_name.split()[0] for p in people)
    assert 0.33 <= surnames["Nguyễn"] / len(people) <= 0.43
    assert surnames["Trần"] > surnames["Phạm"] > surnames["Đặng"]
    # Northern spellings in Hải Phòng.
    assert surnames["Vũ"] > 5 * surnames["Võ"]
    assert surnames["Hoàng"] > 5 * surnames["Huỳnh"]


def test_it_gives_thi_to_older_women_far_more_than_to_girls(people: list[PersonRow]) -> None:
    def thi_share(low: int, high: int) -> float:
        women = [p for p in people if p.sex == "Nữ" and low <= int(p.birth_date[:4]) < high]
        return sum(1 for p in women if "Thị" in p.full_name.split()[1:-1]) / len(women)

    assert thi_share(1900, 1960) > 0.75
    assert thi_share(2010, 2030) < 0.3
    men = [p for p in people if p.sex == "Nam"]
    assert not any("Thị" in p.full_name.split() for p in men)
    assert sum(1 for p in men if p.full_name.split()[1] == "Văn") / len(men) > 0.2


def test_it_gives_names_of_three_or_four_words_without_repeats(people: list[PersonRow]) -> None:
    for person in people:
        words = person.full_name.split()
        assert 2 <= len(words) <= 5
        assert words[0] != words[1]
        assert words[-1] != words[-2]


def test_it_ships_name_lists_by_sex_and_cohort() -> None:
    names = load_name_tables()
    assert len(names.middle) == len(names.given) == 2
    assert all(len(by_sex) == 5 for by_sex in names.given)
    assert names.middle[1][0].share("Thị") > 0.7
    assert names.middle[1][4].share("Thị") < 0.15
    assert names.given[0][4].share("Khang") > names.given[0][0].share("Khang")
    assert 0.37 <= names.surnames_north.share("Nguyễn") <= 0.4
    assert cohort(1949) == 0
    assert cohort(1950) == 1
    assert cohort(2005) == 4


# -- places --------------------------------------------------------------------------------


def test_it_places_people_in_real_current_hai_phong_communes(
    households: dict[str, list[PersonRow]],
) -> None:
    real = {u.code: u for u in units.communes("current", "31")}
    seen = set()
    for members in households.values():
        head = members[0]
        assert head.province_code == "31"
        assert real[head.commune_code].name == head.commune_name
        seen.add(head.commune_code)
        assert {(p.commune_code, p.address_line) for p in members} == {(head.commune_code, head.address_line)}
    assert len(seen) > 0.9 * len(real)


def test_it_keeps_the_earlier_commune_of_about_one_household_in_ten(
    households: dict[str, list[PersonRow]],
) -> None:
    real = {u.code for u in units.communes("current", "31")}
    moved = [members for members in households.values() if members[0].former_commune_codes]
    assert 0.07 < len(moved) / len(households) < 0.13
    for members in moved:
        # the household moved together, from another real commune of the province
        assert {p.former_commune_codes for p in members} == {members[0].former_commune_codes}
        assert members[0].former_commune_codes in real
        assert members[0].former_commune_codes != members[0].commune_code


def test_it_writes_street_addresses_in_wards_and_villages_in_communes(
    people: list[PersonRow],
) -> None:
    kinds = {u.code: u.kind for u in units.communes("current", "31")}
    for person in people[:3000]:
        if kinds[person.commune_code] == "ward":
            assert re.fullmatch(r"Số \d+ .+|Tổ dân phố \d+", person.address_line)
        else:
            assert re.fullmatch(r"Thôn .+|Xóm \d+, thôn .+", person.address_line)


def test_it_fills_the_extra_attributes(people: list[PersonRow]) -> None:
    assert {p.nationality for p in people} == {"Việt Nam"}
    ethnicities = Counter(p.ethnicity for p in people)
    assert ethnicities["Kinh"] / len(people) > 0.98
    religions = Counter(p.religion for p in people)
    assert religions.most_common(1)[0][0] == "Không"
    assert {"Phật giáo", "Công giáo"} <= set(religions)
    assert all(p.birthplace and p.hometown for p in people)
    assert Counter(p.birthplace for p in people).most_common(2)[0][0] in {"Hải Phòng", "Hải Dương"}


def test_it_refuses_a_province_that_does_not_exist() -> None:
    with pytest.raises(units.UnknownUnitError):
        next(generate_province(10, seed=1, province_code="99"))


def test_it_generates_another_province_with_southern_surnames() -> None:
    rows = list(generate_province(3_000, seed=5, province_code="79"))
    assert {p.province_code for p in rows} == {"79"}
    real = {u.code for u in units.communes("current", "79")}
    assert {p.commune_code for p in rows} <= real
    surnames = Counter(p.full_name.split()[0] for p in rows)
    assert surnames["Huỳnh"] > surnames["Hoàng"]
    assert Counter(p.personal_id[:3] for p in rows).most_common(1)[0][0] == "079"


# -- building blocks -----------------------------------------------------------------------


def test_it_picks_weighted_items_by_their_share() -> None:
    table = Weighted([("a", 1.0), ("b", 0.0), ("c", 3.0)])
    assert table.items == ("a", "c")
    assert table.pick(0.0) == "a"
    assert table.pick(0.2499) == "a"
    assert table.pick(0.25) == "c"
    assert table.pick(0.9999999999999999) == "c"
    assert table.share("c") == 0.75
    assert table.share("b") == 0.0
    with pytest.raises(ValueError, match="positive"):
        Weighted([("a", 0.0)])


def test_it_permutes_a_range_exactly() -> None:
    permutation = KeyedPermutation(10_000, random.Random(1))
    assert sorted(permutation(x) for x in range(10_000)) == list(range(10_000))
    assert [permutation(x) for x in range(5)] != list(range(5))


def test_it_hands_out_numbers_once() -> None:
    numbers = UniqueNumbers(2, random.Random(1))
    rng = random.Random(2)
    drawn = [numbers.next("09", rng) for _ in range(100)]
    assert sorted(drawn) == [f"09{i:02d}" for i in range(100)]
    with pytest.raises(OverflowError):
        numbers.next("09", rng)
    assert numbers.next("03", rng).startswith("03")
