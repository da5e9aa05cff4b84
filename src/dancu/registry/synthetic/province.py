"""A synthetic province as register rows: households turned into the canonical import columns.

Households are built one at a time and their rows yielded at once, so memory does not grow with
the number of people. Everything comes from one ``random.Random(seed)``: the same
``(people, seed, province_code)`` always gives the same rows.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Final

from dancu.core.personal_id import PROVINCE_CODES, PersonalIdAllocator
from dancu.registry.synthetic.demography import AS_OF, TODAY, YEAR
from dancu.registry.synthetic.households import HouseholdBuilder, Person
from dancu.registry.synthetic.numbers import UniqueNumbers
from dancu.registry.synthetic.places import Commune, load_places
from dancu.registry.synthetic.rows import HEADER, PersonRow, person_row
from dancu.registry.synthetic.tables import read_rows, weighted_column

__all__ = ["generate_province", "generate_rows", "write_csv"]

Row = tuple[str, ...]

TODAY_YEAR: Final = AS_OF.year

_NATIONALITY: Final = "Việt Nam"
_SEX: Final = ("Nam", "Nữ")
# Old 9-digit CMND cards were issued to people aged 14+ until 2016 (from 2012 in some
# provinces the 12-digit card replaced them); the oldest generation often never renewed.
_CARD_LAST_BIRTH_YEAR: Final = 2001
_FIRST_YEAR: Final = 1800


def _phone_share(age: float) -> float:
    """Share of living people of this age with a mobile number in the register."""
    if age < 15:
        return 0.0
    if age < 18:
        return 0.6
    if age < 60:
        return 0.95
    if age < 70:
        return 0.85
    if age < 80:
        return 0.65
    return 0.35


def _card_share(birth_year: int) -> float:
    """Share of people born this year who held a 9-digit CMND."""
    if birth_year < 1998:
        return 0.85
    if birth_year <= _CARD_LAST_BIRTH_YEAR:
        return 0.5
    return 0.0


_LAST_YEAR_ONLY: Final = 1970

#: Share of households that moved house within the province and whose earlier permanent
#: residence the register keeps (about one in ten over a decade: the 2019 census counted
#: 6.7 % of people as having moved in the five years before it).
_HOUSEHOLD_MOVED: Final = 0.1


def _year_only_share(birth_year: int) -> float:
    """Share of birth dates known only by year (old paper records)."""
    if birth_year < 1950:
        return 0.35
    if birth_year < 1960:
        return 0.1
    if birth_year < _LAST_YEAR_ONLY:
        return 0.03
    return 0.0


class _RowMaker:
    """Turns built households into row tuples (IDs, phones, cards, dates)."""

    def __init__(self, rng: random.Random, province_code: str, seed: int = 0) -> None:
        self.rng = rng
        self.random = rng.random
        # Moves are drawn from a stream of their own, so adding them left every other
        # attribute of a seeded province as it was.
        self.moves = random.Random(f"moves-{seed}")  # noqa: S311  # reproducible synthetic data
        self.places = load_places(province_code, rng)
        self.builder = HouseholdBuilder(rng, self.places)
        self.ids = PersonalIdAllocator(rng)
        self.phones = UniqueNumbers(7, rng)
        self.cards = UniqueNumbers(7, rng)
        self.phone_prefixes = weighted_column("phone_prefixes.csv", "prefix", "weight")
        self.religions = weighted_column("religions.csv", "religion", "weight")
        self.card_prefixes = {row["code"]: row["prefix"] for row in read_rows("cmnd_prefixes.csv")}
        self.households = 0
        years = range(_FIRST_YEAR, TODAY_YEAR + 1)
        self.year_only = [_year_only_share(year) for year in years]
        self.card_share = [_card_share(year) for year in years]
        self.phone_share = [_phone_share(age) for age in range(TODAY_YEAR - _FIRST_YEAR + 1)]

    def rows(self, commune: Commune, members: list[Person]) -> list[Row]:
        """The rows of one household."""
        # This runs once per person for millions of people: locals instead of attribute
        # lookups, per-year tables instead of branches.
        random_ = self.random
        dates = self.builder.days
        date_of = self.builder.day
        self.households += 1
        household_id = f"{self.places.household_prefix}{self.households:08d}"
        address = commune.address(self.rng)
        religions = self.religions
        religion = religions.pick(random_())
        home = commune.home_code
        province_code = self.places.province_code
        commune_code = commune.code
        commune_name = commune.name
        former_commune = ""
        if self.moves.random() < _HOUSEHOLD_MOVED:
            former = self.places.communes.pick(self.moves.random())
            former_commune = "" if former.code == commune_code else former.code
        allocate = self.ids.allocate
        days = [dates.get(person.birth) or date_of(person.birth) for person in members]
        for person, (year, _, _) in zip(members, days, strict=True):
            person.pid = allocate(person.birth_code, year, _SEX[person.female])
        year_only = self.year_only
        card_share = self.card_share
        phone_share = self.phone_share
        phone_prefixes = self.phone_prefixes
        card_prefixes = self.card_prefixes
        # Provinces without a known CMND prefix use their own two-digit code (synthetic anyway).
        home_card = card_prefixes.get(home, home[1:])
        rng = self.rng
        next_phone = self.phones.next
        next_card = self.cards.next
        out: list[Row] = []
        for person, (year, _, birth_date) in zip(members, days, strict=True):
            birth = person.birth
            # Most people are born too late for either: skip the draw (and its cost) for them.
            if year < _LAST_YEAR_ONLY and random_() < year_only[year - _FIRST_YEAR]:
                birth_date = birth_date[:4]
            alive = person.death == 0
            phone = ""
            if alive and random_() < phone_share[int((TODAY - birth) / YEAR)]:
                phone = next_phone(phone_prefixes.pick(random_()), rng)
            card = ""
            if year <= _CARD_LAST_BIRTH_YEAR and random_() < card_share[year - _FIRST_YEAR]:
                # Most cards were issued where the person lives; some where they grew up.
                card_prefix = home_card
                if random_() < 0.3:
                    card_prefix = card_prefixes.get(person.birth_code, home_card)
                card = next_card(card_prefix, rng)
            father, mother, spouse = person.father, person.mother, person.spouse
            out.append(
                (
                    person.pid,
                    person.full_name,
                    birth_date,
                    _SEX[person.female],
                    person.ethnicity,
                    _NATIONALITY,
                    card,
                    household_id,
                    person.relation,
                    "" if father is None else father.pid,
                    "" if mother is None else mother.pid,
                    "" if spouse is None else spouse.pid,
                    province_code,
                    commune_code,
                    commune_name,
                    address,
                    phone,
                    "alive" if alive else "deceased",
                    religion if random_() < 0.97 else religions.pick(random_()),
                    PROVINCE_CODES[person.birth_code],
                    person.hometown,
                    "" if alive else date_of(person.death)[2],
                    former_commune,
                )
            )
        # Spouses point at each other: break the cycles so that reference counting frees the
        # household now, instead of leaving millions of people to the cyclic garbage collector.
        for person in members:
            person.spouse = None
        return out


def _cut(rows: list[Row], keep: int) -> list[Row]:
    """The first ``keep`` rows of a household, without links to the members left out."""
    kept = rows[:keep]
    pids = {row[0] for row in kept}
    links = (HEADER.index("father_id"), HEADER.index("mother_id"), HEADER.index("spouse_id"))
    return [tuple("" if i in links and value not in pids else value for i, value in enumerate(row)) for row in kept]


def generate_rows(people: int, seed: int, province_code: str = "31") -> Iterator[Row]:
    """Rows (tuples in :data:`HEADER` order) of a synthetic province of exactly ``people``.

    The fast path behind :func:`generate_province` and :func:`write_csv`. The last household is
    cut short when needed to give exactly ``people`` rows.
    """
    if people < 0:
        raise ValueError("people must not be negative")
    # Reproducible synthetic data, not secrets: the seed must give the same province every time.
    maker = _RowMaker(random.Random(seed), province_code, seed)  # noqa: S311
    left = people
    while left > 0:
        commune, members = maker.builder.household()
        rows = maker.rows(commune, members)
        if len(rows) > left:
            rows = _cut(rows, left)
        left -= len(rows)
        yield from rows


def generate_province(people: int, seed: int, province_code: str = "31") -> Iterator[PersonRow]:
    """A synthetic province of ``people`` persons in coherent households (see module doc).

    ``province_code`` is a current (2025) province code; Hải Phòng ("31") is the demo province.
    """
    for row in generate_rows(people, seed, province_code):
        yield person_row(row)


def write_csv(path: str | PathLike[str], people: int, seed: int, province_code: str = "31") -> int:
    """Write a synthetic province as UTF-8 CSV (canonical header, then extras); return rows."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in generate_rows(people, seed, province_code):
            writer.writerow(row)
            count += 1
    return count
