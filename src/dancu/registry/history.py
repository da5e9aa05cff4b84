"""A person's record as history sees it: the values that changes compare and keep.

``snapshot`` turns a :class:`~dancu.registry.models.Person` into plain JSON values named as in
an import row (``household_code``, ``father_pid``, ``commune_code``…), so an officer's action and
an import write the same kind of before/after into :class:`~dancu.registry.models.PersonChange`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from dancu.registry.models import Person, Residence, ResidenceKind

__all__ = ["HISTORY_VALUES", "changed_values", "json_value", "snapshot"]

#: The values kept in history, in display order.
HISTORY_VALUES: Final[tuple[str, ...]] = (
    "personal_id",
    "full_name",
    "surname",
    "middle_name",
    "given_name",
    "other_names",
    "birth_date",
    "birth_precision",
    "sex",
    "ethnicity",
    "religion",
    "nationality",
    "birthplace",
    "hometown",
    "household_code",
    "relation_to_head",
    "father_pid",
    "mother_pid",
    "spouse_pid",
    "commune_code",
    "address_line",
    "status",
    "deceased_on",
    "phone",
    "email",
    "former_ids",
)


def json_value(value: Any) -> Any:
    """VALUE as JSON keeps it: dates as ISO text, None as None, the rest unchanged."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def snapshot(person: Person) -> dict[str, Any]:
    """The history values of PERSON now (reads its household, relatives and residence)."""
    residence = (
        Residence.objects.filter(person=person, kind=ResidenceKind.PERMANENT, is_active=True).order_by("-id").first()
    )
    relatives = dict(
        Person.objects.filter(
            pk__in=[i for i in (person.father_id, person.mother_id, person.spouse_id) if i]
        ).values_list("pk", "personal_id")
    )
    household_code = person.household.code if person.household_id and person.household else ""
    return {
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "surname": person.surname,
        "middle_name": person.middle_name,
        "given_name": person.given_name,
        "other_names": list(person.other_names),
        "birth_date": json_value(person.birth_date),
        "birth_precision": person.birth_precision,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "religion": person.religion,
        "nationality": person.nationality,
        "birthplace": person.birthplace,
        "hometown": person.hometown,
        "household_code": household_code,
        "relation_to_head": person.relation_to_head,
        "father_pid": relatives.get(person.father_id, "") if person.father_id else "",
        "mother_pid": relatives.get(person.mother_id, "") if person.mother_id else "",
        "spouse_pid": relatives.get(person.spouse_id, "") if person.spouse_id else "",
        "commune_code": person.commune_code,
        "address_line": residence.address_line if residence else "",
        "status": person.status,
        "deceased_on": json_value(person.deceased_on),
        "phone": person.phone,
        "email": person.email,
        "former_ids": sorted(person.former_ids.values_list("number", flat=True)),
    }


def changed_values(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values that differ, as (before, after) restricted to them; a value one side lacks
    (everything, before a creation) is left out of that side."""
    keys = [k for k in HISTORY_VALUES if k in before or k in after]
    keys += sorted((set(before) | set(after)) - set(keys))
    differing = [k for k in keys if k not in before or k not in after or before[k] != after[k]]
    return {k: before[k] for k in differing if k in before}, {k: after[k] for k in differing if k in after}
