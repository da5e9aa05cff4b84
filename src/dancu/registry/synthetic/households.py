"""Coherent synthetic households: who lives with whom, their ages, names and family links.

One :class:`HouseholdBuilder` draws every household of a run from a single ``random.Random``:
a household type (living alone, a couple, parents and children, a single parent, a family
living with the head's parents, or an older couple with a married child's family), then ages
that respect biology (mothers 18–45 at each birth, fathers at least 16 years older than their
children), names by sex and birth cohort, and birth-registration provinces.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date
from typing import Final

from dancu.core.personal_id import PROVINCE_CODES
from dancu.registry.synthetic.demography import (
    AGE_ALONE_OLD,
    AGE_COUPLE_OLD_WIFE,
    AGE_GRANDMOTHER,
    AGE_LIVING_WITH_PARENTS,
    AGE_NUCLEAR_WIFE,
    AGE_SINGLE_PARENT,
    BIRTH_SPACING,
    DEATH_SHARE,
    FIRST_BIRTH,
    HOUSEHOLD_TYPES,
    MOTHER_AT_FIRST_BIRTH,
    MOTHER_AT_HEADS_BIRTH,
    MOVED_CHILD,
    MOVED_HEAD,
    MOVED_HUSBAND,
    MOVED_WIFE,
    NORMAL,
    SPOUSE_GAP,
    STEPS,
    TODAY,
    YEAR,
    staying_at_home,
)
from dancu.registry.synthetic.places import Commune, Places
from dancu.registry.synthetic.tables import Weighted, cohort, load_name_tables, read_rows, weighted_column

__all__ = ["HouseholdBuilder", "Person"]

_NORTH_MAX_CODE: Final = 46  # birth codes up to Thừa Thiên Huế use the northern surname table
_FORCE_DEATH: Final = -1


class Person:
    """A person while their household is being built (mutable, cheap to create)."""

    __slots__ = (
        "birth",
        "birth_code",
        "death",
        "ethnicity",
        "father",
        "female",
        "full_name",
        "given",
        "hometown",
        "last_child",
        "middle",
        "mother",
        "pid",
        "relation",
        "spouse",
        "surname",
    )

    def __init__(self, female: bool, birth: int, surname: str, birth_code: str, relation: str) -> None:
        self.female = female
        self.birth = birth  # day ordinal
        self.surname = surname
        self.birth_code = birth_code
        self.relation = relation
        self.middle = ""
        self.given = ""
        self.full_name = ""
        self.pid = ""
        self.hometown = ""
        self.ethnicity = ""
        self.father: Person | None = None
        self.mother: Person | None = None
        self.spouse: Person | None = None
        self.last_child = 0  # birth ordinal of the youngest child in the register
        self.death = 0  # day ordinal; 0 = alive, _FORCE_DEATH = must die when ages are known


class HouseholdBuilder:
    """Draws households for one run; all randomness comes from ``rng``."""

    def __init__(self, rng: random.Random, places: Places) -> None:
        self.rng = rng
        self.random = rng.random
        self.places = places
        names = load_name_tables()
        self.middles = names.middle
        self.givens = names.given
        northern = int(places.home_code) <= _NORTH_MAX_CODE
        self.surnames = names.surnames_north if northern else names.surnames_south
        migration: dict[str, list[tuple[str, float]]] = {}
        for row in read_rows("birth_provinces.csv"):
            migration.setdefault(row["home"], []).append((row["code"], float(row["weight"])))
        self.elsewhere = {home: Weighted(pairs) for home, pairs in migration.items()}
        self.ethnicities = weighted_column("ethnicities.csv", "ethnicity", "weight")
        self.household_ethnicity = "Kinh"
        self.days: dict[int, tuple[int, int, str]] = {}
        self.builders = {
            "single": self.single,
            "couple": self.couple,
            "nuclear": self.nuclear,
            "single_parent": self.single_parent,
            "with_parents": self.with_parents,
            "three_generations": self.three_generations,
        }

    # -- small draws -------------------------------------------------------------------------

    def day(self, ordinal: int) -> tuple[int, int, str]:
        """(calendar year, naming cohort, "YYYY-MM-DD") of a day ordinal, cached: a province
        spans only a few tens of thousands of days, and this is asked for every person often."""
        known = self.days.get(ordinal)
        if known is None:
            day = date.fromordinal(ordinal)
            known = self.days[ordinal] = (day.year, cohort(day.year), day.isoformat())
        return known

    def year(self, ordinal: int) -> int:
        """Calendar year of a day ordinal."""
        return (self.days.get(ordinal) or self.day(ordinal))[0]

    def age_in(self, bands: Weighted[int]) -> float:
        """An age drawn from 5-year bands."""
        return bands.pick(self.random()) + 5.0 * self.random()

    def born(self, age: float) -> int:
        """The birth ordinal of someone ``age`` years old at AS_OF."""
        return TODAY - int(age * YEAR) - int(self.random() * 30)

    def birth_code(self, home: str, moved: float) -> str:
        """Personal-ID province code of a birth: ``home``, or elsewhere with probability ``moved``."""
        if self.random() >= moved:
            return home
        return self.elsewhere_code(home)

    def elsewhere_code(self, home: str) -> str:
        """A birth-registration province other than ``home``, by migration weights."""
        table = self.elsewhere.get(home)
        if table is None:
            # No migration data for this area: any other province, equally likely.
            table = self.elsewhere[home] = Weighted([(code, 1.0) for code in PROVINCE_CODES if code != home])
        return table.pick(self.random())

    def adult(self, female: bool, age: float, home: str, moved: float, relation: str) -> Person:
        """A named adult with a fresh surname."""
        person = Person(
            female,
            self.born(age),
            self.surnames.pick(self.random()),
            self.birth_code(home, moved),
            relation,
        )
        self.name(person)
        self.roots(person, home)
        return person

    def roots(self, person: Person, home: str) -> None:
        """Ethnicity and hometown (quê quán): a parent's when one is in the register (the
        father's first), else mostly the household's ethnicity and the province of birth."""
        parent = person.father or person.mother
        if parent is not None:
            person.ethnicity = parent.ethnicity
            person.hometown = parent.hometown
            return
        random_ = self.random
        person.ethnicity = self.household_ethnicity if random_() < 0.97 else self.ethnicities.pick(random_())
        code = person.birth_code if random_() < 0.75 else self.elsewhere_code(home)
        person.hometown = PROVINCE_CODES[code]

    def name(self, person: Person, middle: str | None = None, avoid: Sequence[str] = ()) -> None:
        """Give ``person`` a middle name (or ``middle``) and a given name not in ``avoid``."""
        era = (self.days.get(person.birth) or self.day(person.birth))[1]
        random_ = self.random
        if middle is None:
            middles = self.middles[person.female][era]
            middle = middles.pick(random_())
            # "Hoàng Hoàng Tân" is not a name people are given.
            while middle.partition(" ")[0] == person.surname:
                middle = middles.pick(random_())
        givens = self.givens[person.female][era]
        # Without a middle name the given name follows the surname: "Dương Dương" is no name either.
        last_middle = middle.rpartition(" ")[2] or person.surname
        # Inlined Weighted.pick: this is the hottest draw of the generator.
        items, bounds, total = givens.items, givens.bounds, givens.total
        given = items[bisect(bounds, random_() * total)]
        # "Nguyễn Minh Minh" does not happen, nor two siblings with one given name.
        while given == last_middle or given in avoid:
            given = items[bisect(bounds, random_() * total)]
        person.middle = middle
        person.given = given
        surname = person.surname
        person.full_name = f"{surname} {middle} {given}" if middle else f"{surname} {given}"

    def spouse_of(self, person: Person, home: str, relation: str, surname: str | None = None) -> Person:
        """A spouse of the opposite sex: husbands are mostly 0–6 years older than their wives.

        Wives keep their own surname; ``surname`` forces one (a head's father has the head's).
        """
        # A larger ordinal is a later birth: the husband's is the wife's minus the gap.
        gap = SPOUSE_GAP[int(self.random() * STEPS)]
        birth = person.birth - gap if person.female else person.birth + gap
        female = not person.female
        if female and TODAY - birth < int(18 * YEAR):
            birth = TODAY - int((18.0 + 2.0 * self.random()) * YEAR)
        spouse = Person(
            female,
            birth,
            self.surnames.pick(self.random()) if surname is None else surname,
            self.birth_code(home, MOVED_WIFE if female else MOVED_HUSBAND),
            relation,
        )
        self.name(spouse)
        self.roots(spouse, home)
        person.spouse = spouse
        spouse.spouse = person
        return spouse

    # -- children ----------------------------------------------------------------------------

    def deliveries(self, mother_birth: int) -> list[tuple[int, int]]:
        """(birth ordinal, number of babies) of a woman's deliveries, by her cohort's fertility."""
        year = self.year(mother_birth)
        mean = 5.0 if year < 1950 else 3.8 if year < 1960 else 2.8 if year < 1970 else 2.3
        count = max(1, round(mean + NORMAL[int(self.random() * STEPS)]))
        latest = min(TODAY - 1, mother_birth + int(45 * YEAR))
        at = mother_birth + FIRST_BIRTH[int(self.random() * STEPS)]
        result: list[tuple[int, int]] = []
        while len(result) < count and at <= latest:
            # About 0.75% of deliveries are twins, so 1.5% of babies are born twins.
            result.append((at, 2 if self.random() < 0.0075 else 1))
            at += BIRTH_SPACING[int(self.random() * STEPS)]
        return result

    def children(
        self,
        mother: Person | None,
        father: Person | None,
        deliveries: list[tuple[int, int]],
        surname: str,
        home: str,
        relation: str,
        everyone: bool = False,
        siblings: tuple[str, ...] = (),
    ) -> list[Person]:
        """The children of these deliveries who still live in the household (all if ``everyone``).

        ``siblings`` are given names already taken by brothers and sisters.
        """
        kids: list[Person] = []
        taken = list(siblings)
        middles: dict[bool, str] = {}
        mother_code = mother.birth_code if mother is not None else home
        random_ = self.random
        last = 0
        for birth, babies in deliveries:
            if not everyone and random_() >= staying_at_home((TODAY - birth) / YEAR):
                continue
            year = self.year(birth)
            # Sex ratio at birth: about 105 boys per 100 girls, 111 since the 2000s.
            boy_share = 0.512 if year < 1990 else 0.525 if year < 2005 else 0.527
            # Some births are registered in the mother's home province.
            code = mother_code if random_() < MOVED_CHILD else home
            for _ in range(babies):
                female = random_() >= boy_share
                child = Person(female, birth, surname, code, relation)
                child.father = father
                child.mother = mother
                # Brothers, and sisters, often share a middle name ("Văn", "Thị", "Minh"...).
                shared = middles.get(female) if random_() < 0.6 else None
                self.name(child, shared, taken)
                self.roots(child, home)
                middles.setdefault(female, child.middle)
                taken.append(child.given)
                kids.append(child)
            last = birth
        if last:
            if mother is not None and mother.last_child < last:
                mother.last_child = last
            if father is not None and father.last_child < last:
                father.last_child = last
        return kids

    # -- household types ---------------------------------------------------------------------

    def household(self) -> tuple[Commune, list[Person]]:
        """A commune and the members of a new household in it, head first."""
        commune = self.places.communes.pick(self.random())
        kind = HOUSEHOLD_TYPES.pick(self.random())
        self.household_ethnicity = self.ethnicities.pick(self.random())
        members = self.builders[kind](commune.home_code)
        self.close_records(members)
        return commune, members

    def single(self, home: str) -> list[Person]:
        """One person living alone: a young worker, or more often a widowed older woman."""
        u = self.random()
        if u < 0.3:
            age, female = 18.0 + 17.0 * self.random(), self.random() < 0.4
        elif u < 0.45:
            age, female = 35.0 + 25.0 * self.random(), self.random() < 0.45
        else:
            age, female = self.age_in(AGE_ALONE_OLD), self.random() < 0.72
        head = self.adult(female, age, home, MOVED_HEAD, "Chủ hộ")
        if age >= 60 and self.random() < 0.5:
            spouse = self.spouse_of(head, home, "Chồng" if female else "Vợ")
            spouse.death = _FORCE_DEATH
            return [head, spouse]
        return [head]

    def couple(self, home: str) -> list[Person]:
        """A couple alone: newly married, or older with their children gone."""
        young = self.random() < 0.2
        age = 20.0 + 13.0 * self.random() if young else self.age_in(AGE_COUPLE_OLD_WIFE)
        wife = self.adult(True, age, home, MOVED_WIFE, "Vợ")
        husband = self.spouse_of(wife, home, "Chồng")
        return self.head_first(husband, wife, 0.85)

    def nuclear(self, home: str) -> list[Person]:
        """Parents and the children still at home."""
        wife = self.adult(True, self.age_in(AGE_NUCLEAR_WIFE), home, MOVED_WIFE, "Vợ")
        husband = self.spouse_of(wife, home, "Chồng")
        surname = husband.surname if self.random() < 0.97 else wife.surname
        kids = self.children(wife, husband, self.deliveries(wife.birth), surname, home, "Con")
        return self.head_first(husband, wife, 0.78) + kids

    def single_parent(self, home: str) -> list[Person]:
        """A mother (mostly) or father alone with children; the other parent died or left."""
        female = self.random() < 0.8
        age = self.age_in(AGE_SINGLE_PARENT)
        head = self.adult(female, age, home, MOVED_HEAD, "Chủ hộ")
        other: Person | None = None
        if self.random() < 0.15:
            other = self.spouse_of(head, home, "Chồng" if female else "Vợ")
            other.death = _FORCE_DEATH
        mother, father = (head, other) if female else (other, head)
        # Without the mother in the register, her deliveries follow a wife the usual gap younger.
        gap = SPOUSE_GAP[int(self.random() * STEPS)]
        mother_birth = mother.birth if mother is not None else head.birth + gap
        if father is not None:
            surname = father.surname
        elif self.random() < 0.85:
            surname = self.surnames.pick(self.random())  # the father is not in the register
        else:
            surname = head.surname
        kids = self.children(mother, father, self.deliveries(mother_birth), surname, home, "Con")
        return [head, *([other] if other is not None else []), *kids]

    def with_parents(self, home: str) -> list[Person]:
        """A family living with the head's parents (three generations)."""
        head_female = self.random() < 0.2
        age = self.age_in(AGE_LIVING_WITH_PARENTS)
        head = self.adult(head_female, age, home, MOVED_HEAD, "Chủ hộ")
        grandmother = Person(
            True,
            head.birth - MOTHER_AT_HEADS_BIRTH[int(self.random() * STEPS)],
            self.surnames.pick(self.random()),
            self.birth_code(home, MOVED_WIFE),
            "Mẹ",
        )
        self.name(grandmother)
        self.roots(grandmother, home)
        grandfather = self.spouse_of(grandmother, home, "Cha", head.surname)
        grandfather.last_child = grandmother.last_child = head.birth
        members = [head]
        u = self.random()
        for parent, present in ((grandfather, u >= 0.35), (grandmother, u < 0.9)):
            if present or self.random() < 0.4:
                if not present:
                    parent.death = _FORCE_DEATH
                members.append(parent)
                if parent.female:
                    head.mother = parent
                else:
                    head.father = parent
        if head.father is None and grandmother.spouse is grandfather:
            grandmother.spouse = None  # the father is not in the register
        if head.mother is None and grandfather.spouse is grandmother:
            grandfather.spouse = None
        if head.father is not None or head.mother is not None:
            self.roots(head, home)  # now that the parents are known
        if self.random() < 0.85:
            spouse = self.spouse_of(head, home, "Chồng" if head_female else "Vợ")
            wife, husband = (head, spouse) if head_female else (spouse, head)
            kids = self.children(wife, husband, self.deliveries(wife.birth), husband.surname, home, "Con")
            members.insert(1, spouse)
            members.extend(kids)
        return members

    def three_generations(self, home: str) -> list[Person]:
        """An older couple, a married child with their spouse, and grandchildren."""
        age = self.age_in(AGE_GRANDMOTHER)
        grandmother = self.adult(True, age, home, MOVED_WIFE, "Vợ")
        grandfather = self.spouse_of(grandmother, home, "Chồng")
        deliveries = self.deliveries(grandmother.birth)
        adults = [i for i, (birth, _) in enumerate(deliveries) if TODAY - birth >= 20 * YEAR]
        if not adults:
            first = grandmother.birth + MOTHER_AT_FIRST_BIRTH[int(self.random() * STEPS)]
            deliveries = [(min(first, TODAY - int(20 * YEAR)), 1)]
            adults = [0]
        married_at = adults[int(self.random() * len(adults))]
        birth, _ = deliveries[married_at]
        son = self.random() < 0.85
        married = self.children(grandmother, grandfather, [(birth, 1)], grandfather.surname, home, "Con", True)[0]
        if married.female == son:
            married.female = not son
            self.name(married)
        younger = self.children(
            grandmother,
            grandfather,
            deliveries[married_at + 1 :],
            grandfather.surname,
            home,
            "Con",
            siblings=(married.given,),
        )
        in_law = self.spouse_of(married, home, "Con dâu" if son else "Con rể")
        wife, husband = (in_law, married) if son else (married, in_law)
        grandchildren = self.children(wife, husband, self.deliveries(wife.birth), husband.surname, home, "Cháu")
        if self.random() < 0.15:
            grandfather.death = _FORCE_DEATH
        return [
            *self.head_first(grandfather, grandmother, 1.0),
            married,
            in_law,
            *younger,
            *grandchildren,
        ]

    def head_first(self, husband: Person, wife: Person, husband_heads: float) -> list[Person]:
        """Make one spouse the head (the husband with probability ``husband_heads``)."""
        if husband.death == _FORCE_DEATH or self.random() >= husband_heads:
            head, other = wife, husband
        else:
            head, other = husband, wife
        head.relation = "Chủ hộ"
        other.relation = "Chồng" if head.female else "Vợ"
        return [head, other]

    # -- deaths ------------------------------------------------------------------------------

    def close_records(self, members: list[Person]) -> None:
        """Mark some members deceased (mostly old), with a death date after their last child."""
        random_ = self.random
        for person in members[1:]:  # the head is alive by definition
            if person.death != _FORCE_DEATH:
                band = int((TODAY - person.birth) / YEAR) // 5
                if random_() >= DEATH_SHARE[band if band < len(DEATH_SHARE) else -1]:
                    continue
            earliest = max(person.birth + 1, person.last_child + 1, TODAY - int(15 * YEAR))
            if earliest >= TODAY - 30:
                person.death = 0  # cannot have died yet: keep the record open
                continue
            person.death = earliest + int(random_() * (TODAY - 1 - earliest))
