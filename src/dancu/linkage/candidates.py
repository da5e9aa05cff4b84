"""The register candidates of a review row: the engine's, and the others an officer may pick
instead — the people a row is usually mistaken for.

The engine keeps one candidate per row. When an officer says it is the wrong person, the right
one is most often in the candidate's household (a twin or sibling with a one-letter different
given name), a namesake born the same year or the next, or the holder of the ID number the
extract gives. :func:`alternatives` finds those through the register's indexes (``name_key``
with ``birth_year``, the household, the personal and former ID numbers), so it costs a few
indexed queries per page, not a re-run.

:func:`differences` compares a row with any register person field by field, the way the
engine's correction list does (``{"field": [extract value, register value]}``), so a row
confirmed to another candidate still yields a correct correction list.
"""

from __future__ import annotations

import re
from typing import Final

from dancu.core import units
from dancu.core.text import fold, nfc
from dancu.linkage.engine.normalise import clean_id, normalise_sex, parse_date
from dancu.linkage.models import ReviewItem
from dancu.registry.models import DatePrecision, Person, Residence, ResidenceKind

__all__ = ["MAX_ALTERNATIVES", "alternatives", "differences", "display_values", "offered_ids"]

#: Other candidates shown beside the engine's, at most.
MAX_ALTERNATIVES: Final = 5

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def _birth_year(text: str) -> int | None:
    parsed = parse_date(text) if text else None
    if parsed is not None:
        return parsed.year
    found = _YEAR.search(text or "")
    return int(found.group(1)) if found else None


def alternatives(item: ReviewItem) -> list[Person]:
    """Other register persons this row may be: the engine candidate's household members born
    within two years of the row, namesakes (same folded name) born within a year, and the
    holders of the row's ID numbers. The engine's candidate is not among them; at most
    :data:`MAX_ALTERNATIVES`, the likeliest first (same name, then nearest birth year)."""
    extract = item.extract
    name_key = fold(str(extract.get("full_name", "") or ""))
    year = _birth_year(str(extract.get("birth_date", "") or extract.get("birth_year", "") or ""))
    found: dict[int, Person] = {}
    people = Person.objects.exclude(personal_id=item.personal_id).select_related("household")
    if name_key:
        namesakes = people.filter(name_key=name_key)
        if year is not None:
            namesakes = namesakes.filter(birth_year__in=[year - 1, year, year + 1])
        for person in namesakes.order_by("birth_year", "personal_id")[: MAX_ALTERNATIVES * 2]:
            found[person.pk] = person
    candidate = Person.objects.filter(personal_id=item.personal_id).only("household_id").first()
    if candidate is not None and candidate.household_id is not None:
        household = people.filter(household_id=candidate.household_id)
        if year is not None:
            household = household.filter(birth_year__gte=year - 2, birth_year__lte=year + 2)
        for person in household.order_by("birth_date", "personal_id")[:10]:
            found[person.pk] = person
    for value in (extract.get("personal_id"), extract.get("old_id_number")):
        cleaned = clean_id(value or "")
        if cleaned.kind == "personal_id":
            holders = people.filter(personal_id=cleaned.value)
        elif cleaned.kind == "old_id":
            holders = people.filter(former_ids__number=cleaned.value)
        else:
            continue
        for person in holders[:2]:
            found[person.pk] = person

    def likeness(person: Person) -> tuple[int, int, str]:
        distance = abs(person.birth_year - year) if year is not None and person.birth_year else 99
        return (0 if person.name_key == name_key else 1, distance, person.personal_id)

    return sorted(found.values(), key=likeness)[:MAX_ALTERNATIVES]


def offered_ids(item: ReviewItem) -> list[str]:
    """The personal IDs an officer may pick for this row: the engine's candidate first."""
    first = [item.personal_id] if item.personal_id else []
    return first + [p.personal_id for p in alternatives(item)]


def _birth_iso(person: Person) -> str:
    """The birth date as the register export writes it (the correction list's form)."""
    if person.birth_precision == DatePrecision.YEAR:
        return f"{person.birth_date.year:04d}"
    if person.birth_precision == DatePrecision.MONTH:
        return person.birth_date.strftime("%Y-%m")
    return person.birth_date.isoformat()


def _birth_text(person: Person) -> str:
    if person.birth_precision == DatePrecision.YEAR:
        return str(person.birth_date.year)
    if person.birth_precision == DatePrecision.MONTH:
        return person.birth_date.strftime("%m/%Y")
    return person.birth_date.strftime("%d/%m/%Y")


def _commune_name(code: str) -> str:
    try:
        return units.get_unit(code, "current").name
    except units.UnknownUnitError:
        return code


def _residence(person: Person) -> tuple[str, str]:
    """(address line, commune code) of the person's permanent residence."""
    residence = (
        Residence.objects.filter(person=person, kind=ResidenceKind.PERMANENT, is_active=True).order_by("-id").first()
    )
    commune = (residence.commune_code if residence else "") or person.commune_code
    line = (residence.address_line if residence else "") or (person.household.address_line if person.household else "")
    return line, commune


def display_values(person: Person) -> dict[str, str]:
    """The person's register values in the extract's field names, as the review page shows them."""
    line, commune = _residence(person)
    former = list(person.former_ids.order_by("number").values_list("number", flat=True))
    return {
        "full_name": person.full_name,
        "birth_date": _birth_text(person),
        "sex": person.get_sex_display(),
        "personal_id": person.personal_id,
        "old_id_number": ", ".join(former),
        "address": ", ".join(p for p in (line, _commune_name(commune) if commune else "") if p),
        "phone": person.phone,
        "ethnicity": person.ethnicity,
    }


def differences(extract: dict[str, str], person: Person) -> dict[str, list[str | None]]:
    """The row's differences from ``person`` in the engine's correction-list form: the name as
    spelt (case, diacritics and spacing count), the birth date (a year-only value differs from a
    full register date), the sex and the personal ID (a missing one differs too: the agency
    should add it), and the commune when the row gives an address (the register's commune name
    must appear in it)."""

    def given(name: str) -> str | None:
        value = str(extract.get(name, "") or "").strip()
        return value or None

    out: dict[str, list[str | None]] = {}
    name = given("full_name")
    if " ".join(nfc(name or "").split()) != person.full_name:
        out["full_name"] = [name, person.full_name]
    birth = given("birth_date") or given("birth_year")
    parsed = parse_date(birth) if birth else None
    register_month = person.birth_date.month if person.birth_precision != DatePrecision.YEAR else None
    register_day = person.birth_date.day if person.birth_precision == DatePrecision.DAY else None
    same_birth = parsed is not None and (parsed.year, parsed.month, parsed.day) == (
        person.birth_date.year,
        register_month,
        register_day,
    )
    if not same_birth:
        out["birth_date"] = [birth, _birth_iso(person)]
    if normalise_sex(given("sex") or "") != person.get_sex_display():
        out["sex"] = [given("sex"), person.get_sex_display()]
    pid = clean_id(given("personal_id") or "")
    if not (pid.kind == "personal_id" and pid.value == person.personal_id):
        out["personal_id"] = [given("personal_id"), person.personal_id]
    address = given("address")
    if address is not None:
        _, commune = _residence(person)
        commune_name = _commune_name(commune) if commune else ""
        if commune_name and fold(commune_name) not in fold(address):
            out["address"] = [address, commune_name]
    return out
