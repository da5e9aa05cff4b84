"""Reading the register for the gateway: only the columns a service needs, by personal ID
(a unique index), in bulk for batches; and the field values a ``read`` grant may release."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection

from dancu.registry.models import DatePrecision, FormerIdNumber, IdentityCard, Person, Residence, ResidenceKind

__all__ = [
    "VerifyRow",
    "birth_date_text",
    "fetch_for_verify",
    "permanent_residences",
    "read_fields",
]

_VERIFY_COLUMNS = (
    "id",
    "personal_id",
    "full_name",
    "name_key",
    "birth_date",
    "birth_precision",
    "sex",
    "commune_code",
    "status",
)


@dataclass(frozen=True, slots=True)
class VerifyRow:
    pk: int
    personal_id: str
    full_name: str
    name_key: str
    birth_date: dt.date
    birth_precision: str
    sex: str
    commune_code: str
    status: str


@lru_cache(maxsize=8)
def _verify_sql(count: int) -> str:
    meta = Person._meta
    quote = connection.ops.quote_name
    column = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in _VERIFY_COLUMNS)
    key = quote(column["personal_id"])
    where = f"{key} = %s" if count == 1 else f"{key} IN ({', '.join(['%s'] * count)})"
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where}"  # noqa: S608 — names from the model


def fetch_for_verify(personal_ids: Sequence[str]) -> dict[str, VerifyRow]:
    """The persons among ``personal_ids``, keyed by personal ID: one query on the unique index
    per 900 ids (below SQLite's bound-parameter limit), in plain SQL because the ORM's query
    building costs ten times the lookup itself on this hot path."""
    found: dict[str, VerifyRow] = {}
    unique = list(dict.fromkeys(personal_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(unique), 900):
            chunk = unique[start : start + 900]
            cursor.execute(_verify_sql(len(chunk)), chunk)
            for pk, pid, name, key, birth, precision, sex, commune, status in cursor.fetchall():
                if isinstance(birth, str):  # SQLite hands dates back as text
                    birth = dt.date.fromisoformat(birth)
                found[pid] = VerifyRow(pk, pid, name, key, birth, precision, sex, commune, status)
    return found


def permanent_residences(person_pks: Iterable[int]) -> dict[int, Residence]:
    """The active permanent residence of each person that has one."""
    pks = list(person_pks)
    result: dict[int, Residence] = {}
    for start in range(0, len(pks), 900):
        for residence in Residence.objects.filter(
            person_id__in=pks[start : start + 900], kind=ResidenceKind.PERMANENT, is_active=True
        ).order_by("valid_from", "pk"):
            result[residence.person_id] = residence
    return result


def birth_date_text(value: dt.date, precision: str) -> str:
    """The birth date as the register knows it: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``."""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def read_fields(personal_id: str, fields: Iterable[str]) -> dict[str, Any] | None:
    """The values of ``fields`` for one person (None when there is no such person).

    Related tables are read only when a requested field needs them.
    """
    wanted = set(fields)
    person = (
        Person.objects.select_related("household", "household__head", "father", "mother", "spouse")
        .filter(personal_id=personal_id)
        .first()
    )
    if person is None:
        return None
    data: dict[str, Any] = {}
    simple = ("full_name", "sex", "status", "ethnicity", "religion", "nationality", "hometown", "birthplace", "phone")
    for name in simple:
        if name in wanted:
            data[name] = getattr(person, name)
    if "birth_date" in wanted:
        data["birth_date"] = birth_date_text(person.birth_date, person.birth_precision)
    if "deceased_on" in wanted:
        data["deceased_on"] = person.deceased_on.isoformat() if person.deceased_on else None
    if "permanent_address" in wanted:
        residence = permanent_residences([person.pk]).get(person.pk)
        data["permanent_address"] = (
            {
                "province_code": residence.province_code,
                "commune_code": residence.commune_code,
                "address_line": residence.address_line,
            }
            if residence is not None
            else None
        )
    if "household" in wanted:
        household = person.household
        data["household"] = (
            {
                "code": household.code,
                "relation_to_head": person.relation_to_head,
                "head_personal_id": household.head.personal_id if household.head else None,
            }
            if household is not None
            else None
        )
    if "parents" in wanted:
        data["parents"] = {
            "father_personal_id": person.father.personal_id if person.father else None,
            "mother_personal_id": person.mother.personal_id if person.mother else None,
        }
    if "spouse" in wanted:
        data["spouse"] = {"personal_id": person.spouse.personal_id} if person.spouse else None
    if "card" in wanted:
        card = IdentityCard.objects.filter(person=person, is_current=True).order_by("-issued_on").first()
        data["card"] = (
            {
                "number": card.number,
                "kind": card.kind,
                "issued_on": card.issued_on.isoformat(),
                "expires_on": card.expires_on.isoformat() if card.expires_on else None,
            }
            if card is not None
            else None
        )
    if "former_ids" in wanted:
        data["former_ids"] = list(
            FormerIdNumber.objects.filter(person=person).order_by("number").values_list("number", flat=True)
        )
    return data
