"""Load a synthetic register into the database for linkage tests (bulk, without the audit trail
that real imports write: these are fixtures, not registrations)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dancu.core.text import fold, split_name
from dancu.registry.models import (
    DatePrecision,
    FormerIdNumber,
    Household,
    Person,
    PersonStatus,
    Residence,
    ResidenceKind,
    Sex,
)
from dancu.registry.synthetic import PersonRow


def _birth(value: str) -> tuple[dt.date, str]:
    if len(value) == 4:
        return dt.date(int(value), 1, 1), DatePrecision.YEAR
    return dt.date.fromisoformat(value), DatePrecision.DAY


def load_register(rows: Iterable[PersonRow]) -> list[PersonRow]:
    """Write ``rows`` as persons with households, permanent residences and former IDs."""
    rows = list(rows)
    households = {}
    for row in rows:
        if row.household_id and row.household_id not in households:
            households[row.household_id] = Household(
                code=row.household_id, commune_code=row.commune_code, address_line=row.address_line
            )
    Household.objects.bulk_create(households.values(), batch_size=2000)
    people = []
    for row in rows:
        born, precision = _birth(row.birth_date)
        parts = split_name(row.full_name)
        people.append(
            Person(
                personal_id=row.personal_id,
                full_name=row.full_name,
                surname=parts.surname,
                middle_name=parts.middle,
                given_name=parts.given,
                name_key=fold(row.full_name),
                birth_date=born,
                birth_precision=precision,
                birth_year=born.year,
                sex=Sex.MALE if row.sex == "Nam" else Sex.FEMALE,
                household=households.get(row.household_id),
                relation_to_head=row.relation_to_head,
                status=PersonStatus.DECEASED if row.status == "deceased" else PersonStatus.ALIVE,
                phone=row.phone,
                commune_code=row.commune_code,
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    by_pid = {p.personal_id: p for p in people}
    linked = []
    for row, person in zip(rows, people, strict=True):
        person.father = by_pid.get(row.father_id)
        person.mother = by_pid.get(row.mother_id)
        person.spouse = by_pid.get(row.spouse_id)
        if person.father or person.mother or person.spouse:
            linked.append(person)
    Person.objects.bulk_update(linked, ["father", "mother", "spouse"], batch_size=2000)
    Residence.objects.bulk_create(
        (
            Residence(
                person=person,
                kind=ResidenceKind.PERMANENT,
                province_code=row.province_code,
                commune_code=row.commune_code,
                recorded_unit_code=row.commune_code,
                address_line=row.address_line,
            )
            for row, person in zip(rows, people, strict=True)
        ),
        batch_size=2000,
    )
    FormerIdNumber.objects.bulk_create(
        (
            FormerIdNumber(person=person, number=row.old_id_number)
            for row, person in zip(rows, people, strict=True)
            if row.old_id_number
        ),
        batch_size=2000,
    )
    return rows
