"""Typed reads of the register for officers, each with its own permission check and audit entry.

An officer sees a person only within their role and jurisdiction (the person's current commune);
every view, every search and every refusal is an audit entry written in the transaction of the
read (a refusal in its own, since the read is abandoned).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from dancu.core.access import Officer
from dancu.core.audit import Actor, record
from dancu.core.models import ActorKind, Outcome
from dancu.core.text import exact_key, fold, nfc
from dancu.core.units import UnknownUnitError, get_unit
from dancu.registry.errors import PersonNotFoundError, RegistryError
from dancu.registry.models import (
    FormerIdNumber,
    Household,
    HouseholdChange,
    IdentityCard,
    ImportBatch,
    LifeEvent,
    Person,
    PersonChange,
    PersonStatus,
    Residence,
)
from dancu.registry.permissions import require_jurisdiction, require_role

__all__ = [
    "PERSON_PAGE_FIELDS",
    "SEARCH_FIELDS",
    "HouseholdRecord",
    "PersonRecord",
    "PersonSummary",
    "SearchResult",
    "commune_name",
    "get_household_for_officer",
    "get_person_for_officer",
    "officer_actor",
    "personal_id_behind",
    "register_counts",
    "search_persons",
]

VIEW = "registry.person.view"
SEARCH = "registry.person.search"
HOUSEHOLD_VIEW = "registry.household.view"

#: What the person page shows (named in the audit entry of each view).
PERSON_PAGE_FIELDS: Final[tuple[str, ...]] = (
    "personal_id",
    "full_name",
    "other_names",
    "birth_date",
    "sex",
    "ethnicity",
    "religion",
    "nationality",
    "birthplace",
    "hometown",
    "household",
    "relation_to_head",
    "father",
    "mother",
    "spouse",
    "residences",
    "status",
    "deceased_on",
    "phone",
    "email",
    "former_ids",
    "cards",
    "life_events",
    "history",
)
#: What a search result row shows.
SEARCH_FIELDS: Final[tuple[str, ...]] = ("personal_id", "full_name", "birth_date", "sex", "commune_code", "status")

_SEARCH_LIMIT: Final = 50


def officer_actor(officer: Officer) -> Actor:
    """The audit actor for an officer."""
    return Actor(kind=ActorKind.OFFICER, id=officer.actor_id)


def commune_name(code: str) -> str:
    """The current name of a commune code ("" for an unknown code)."""
    try:
        return get_unit(code, "current").name
    except UnknownUnitError:
        return ""


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """One line of a search result."""

    public_id: uuid.UUID
    personal_id: str
    full_name: str
    birth_date: dt.date
    birth_precision: str
    sex: str
    commune_code: str
    status: str
    household_code: str
    household_public_id: uuid.UUID | None

    @property
    def commune_name(self) -> str:
        return commune_name(self.commune_code)


@dataclass(slots=True)
class SearchResult:
    kind: str  # personal_id | old_id_number | name | household
    rows: list[PersonSummary] = field(default_factory=list)
    truncated: bool = False


@dataclass(slots=True)
class PersonRecord:
    """Everything the person page shows."""

    person: Person
    residences: list[Residence]
    household_members: list[Person]
    former_ids: list[FormerIdNumber]
    cards: list[IdentityCard]
    life_events: list[LifeEvent]
    history: list[PersonChange]
    created_by_import: ImportBatch | None


@dataclass(slots=True)
class HouseholdRecord:
    household: Household
    members: list[Person]
    history: list[HouseholdChange]


def _refused(
    officer: Officer, action: str, refusal: RegistryError, *, subject: str = "", **details: Any
) -> RegistryError:
    """Audit a refused read in its own transaction (the read itself is abandoned)."""
    with transaction.atomic():
        record(
            action=action,
            actor=officer_actor(officer),
            outcome=Outcome.REFUSED,
            subject_personal_id=subject,
            details={"code": refusal.code, **details},
        )
    return refusal


def get_person_for_officer(
    officer: Officer, personal_id: str = "", *, public_id: uuid.UUID | None = None, purpose: str = ""
) -> PersonRecord:
    """The record of one person — by personal ID or by the public id of the page's URL — for an
    officer whose role and jurisdiction cover them.

    Raises :class:`RoleNotAllowedError`, :class:`PersonNotFoundError` or :class:`NotInJurisdictionError`
    (each audited as refused).
    """
    personal_id = "".join(personal_id.split())
    wanted = Q(public_id=public_id) if public_id is not None else Q(personal_id=personal_id)
    refusal: RegistryError | None = None
    with transaction.atomic():
        person = (
            Person.objects.select_related("household", "father", "mother", "spouse", "household__head")
            .filter(wanted)
            .first()
        )
        try:
            require_role(officer, "view")
            if person is None:
                raise PersonNotFoundError(personal_id)
            require_jurisdiction(officer, person.commune_code)
        except RegistryError as exc:
            refusal = exc
        if refusal is None and person is not None:
            record(
                action=VIEW,
                actor=officer_actor(officer),
                subject_personal_id=person.personal_id,
                object_type="registry.person",
                object_id=person.pk,
                purpose=purpose,
                fields=PERSON_PAGE_FIELDS,
            )
            return PersonRecord(
                person=person,
                residences=list(person.residences.order_by("-is_active", "kind", "-valid_from", "-id")),
                household_members=list(
                    Person.objects.filter(household_id=person.household_id).order_by("birth_date", "id")
                )
                if person.household_id
                else [],
                former_ids=list(person.former_ids.order_by("number")),
                cards=list(person.cards.order_by("-issued_on", "-id")),
                life_events=list(person.life_events.order_by("-occurred_on", "-id")),
                history=list(person.changes.order_by("-at", "-id")),
                created_by_import=ImportBatch.objects.filter(pk=person.created_by_import_id).first()
                if person.created_by_import_id
                else None,
            )
    assert refusal is not None
    if person is not None:
        raise _refused(officer, VIEW, refusal, subject=person.personal_id)
    if public_id is not None:
        raise _refused(officer, VIEW, refusal, public_id=str(public_id))
    raise _refused(officer, VIEW, refusal, subject=personal_id)


def personal_id_behind(public_id: uuid.UUID) -> str:
    """The personal ID of the person a page's public id names ("" for none): the register's
    actions take personal IDs, and check role and jurisdiction themselves."""
    return Person.objects.filter(public_id=public_id).values_list("personal_id", flat=True).first() or ""


def _in_jurisdiction(officer: Officer, persons: QuerySet[Person]) -> QuerySet[Person]:
    jurisdiction = officer.jurisdiction
    if jurisdiction.province_wide:
        return persons
    return persons.filter(commune_code__in=sorted(jurisdiction.communes))


def _has_marks(text: str) -> bool:
    """True when TEXT carries Vietnamese diacritics (or đ): then the search keeps them."""
    return fold(text) != " ".join(nfc(text).casefold().split())


def search_persons(
    officer: Officer,
    *,
    query: str = "",
    birth_year: int | None = None,
    household_code: str = "",
    limit: int = _SEARCH_LIMIT,
) -> SearchResult:
    """Find persons in the officer's jurisdiction by personal ID (12 digits), former ID-card
    number (9 digits), household number, or full name with or without diacritics (optionally
    with the birth year). The search and the personal IDs it returned are one audit entry."""
    text = nfc(query)
    digits = "".join(text.split())
    criteria: dict[str, Any] = {}
    try:
        require_role(officer, "search")
    except RegistryError as refusal:
        raise _refused(officer, SEARCH, refusal) from None
    persons = Person.objects.all()
    if household_code.strip():
        kind = "household"
        criteria["household_code"] = household_code.strip()
        persons = persons.filter(household__code=household_code.strip())
    elif digits.isdigit() and len(digits) == 12:
        kind = "personal_id"
        criteria["personal_id"] = digits
        persons = persons.filter(personal_id=digits)
    elif digits.isdigit() and len(digits) == 9:
        kind = "old_id_number"
        criteria["old_id_number"] = digits
        persons = persons.filter(former_ids__number=digits)
    else:
        kind = "name"
        criteria["name"] = text
        persons = persons.filter(name_key=fold(text))
    if birth_year is not None:
        criteria["birth_year"] = birth_year
        persons = persons.filter(birth_year=birth_year)
    if not criteria or (kind == "name" and not fold(text)):
        return SearchResult(kind=kind)
    persons = _in_jurisdiction(officer, persons).select_related("household").order_by("full_name", "birth_date", "id")
    wanted = exact_key(text) if kind == "name" and _has_marks(text) else None
    found: list[Person] = []
    # With diacritics the folded key is only the index's way in: keep the exact spellings.
    for person in persons[: (limit + 1) * (4 if wanted else 1)]:
        if wanted is not None and exact_key(person.full_name) != wanted:
            continue
        found.append(person)
        if len(found) > limit:
            break
    result = SearchResult(kind=kind, truncated=len(found) > limit)
    result.rows = [
        PersonSummary(
            public_id=p.public_id,
            personal_id=p.personal_id,
            full_name=p.full_name,
            birth_date=p.birth_date,
            birth_precision=p.birth_precision,
            sex=p.sex,
            commune_code=p.commune_code,
            status=p.status,
            household_code=p.household.code if p.household else "",
            household_public_id=p.household.public_id if p.household else None,
        )
        for p in found[:limit]
    ]
    with transaction.atomic():
        record(
            action=SEARCH,
            actor=officer_actor(officer),
            fields=SEARCH_FIELDS,
            details={"criteria": criteria, "results": [r.personal_id for r in result.rows]},
        )
    return result


def get_household_for_officer(
    officer: Officer, code: str = "", *, public_id: uuid.UUID | None = None
) -> HouseholdRecord:
    """A household — by its number or by the public id of the page's URL — and its members, for
    an officer covering the household's commune."""
    wanted = Q(public_id=public_id) if public_id is not None else Q(code=code.strip())
    refusal: RegistryError | None = None
    with transaction.atomic():
        household = Household.objects.select_related("head").filter(wanted).first()
        try:
            require_role(officer, "view")
            if household is None:
                raise PersonNotFoundError(code)
            require_jurisdiction(officer, household.commune_code)
        except RegistryError as exc:
            refusal = exc
        if refusal is None and household is not None:
            members = list(household.members.order_by("birth_date", "id"))
            record(
                action=HOUSEHOLD_VIEW,
                actor=officer_actor(officer),
                object_type="registry.household",
                object_id=household.pk,
                fields=SEARCH_FIELDS,
                details={"household_code": household.code, "members": [m.personal_id for m in members]},
            )
            return HouseholdRecord(
                household=household, members=members, history=list(household.changes.order_by("-at", "-id"))
            )
    assert refusal is not None
    if household is not None:
        raise _refused(officer, HOUSEHOLD_VIEW, refusal, household_code=household.code)
    if public_id is not None:
        raise _refused(officer, HOUSEHOLD_VIEW, refusal, public_id=str(public_id))
    raise _refused(officer, HOUSEHOLD_VIEW, refusal, household_code=code.strip())


def register_counts() -> dict[str, int]:
    """The register's counts (``dancu registry stats``): persons, households and more."""
    status = Person.objects.aggregate(
        persons=Count("id"),
        alive=Count("id", filter=Q(status=PersonStatus.ALIVE)),
        deceased=Count("id", filter=Q(status=PersonStatus.DECEASED)),
    )
    return {
        "persons": int(status["persons"]),
        "households": Household.objects.count(),
        "alive": int(status["alive"]),
        "deceased": int(status["deceased"]),
        "residences": Residence.objects.count(),
        "active_residences": Residence.objects.filter(is_active=True).count(),
        "former_id_numbers": FormerIdNumber.objects.count(),
        "identity_cards": IdentityCard.objects.count(),
        "life_events": LifeEvent.objects.count(),
        "person_changes": PersonChange.objects.count(),
        "household_changes": HouseholdChange.objects.count(),
        "import_batches": ImportBatch.objects.count(),
    }
