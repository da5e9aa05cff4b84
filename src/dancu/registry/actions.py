"""Every write to the register, as named actions (STYLE.md §2–3).

``do_*`` changes the register, writes the person's before/after into ``PersonChange`` and one
audit entry, and publishes the domain event of a life event — all in one transaction; it trusts
its arguments. ``check_*`` takes an officer and plain values, checks role, jurisdiction and the
values, then calls ``do_*``; a refusal raises a :class:`~dancu.registry.errors.RegistryError`,
is audited as refused, and changes nothing. Every action resets the person's import fingerprint,
so the next import compares that person value by value.

Domain events (written to the outbox in the action's transaction, delivered after commit;
subscribers must be idempotent). Payloads carry the personal ID and dates/codes only:

- ``registry.person_born``: ``{"personal_id", "birth_date", "commune_code"}``
- ``registry.person_died``: ``{"personal_id", "deceased_on", "occurred_on"}`` (``deceased_on``
  may be null when an import marks a death without its date; ``occurred_on`` is then the day it
  was recorded)
- ``registry.residence_changed``: ``{"personal_id", "commune_code", "previous_commune_code",
  "valid_from"}`` (permanent residence only)
- ``registry.name_changed``: ``{"personal_id", "occurred_on"}``
- ``registry.card_issued``: ``{"personal_id", "card_kind", "issued_on", "expires_on"}``
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dancu.core.access import Officer
from dancu.core.audit import Actor, record
from dancu.core.events import publish
from dancu.core.models import Outcome
from dancu.core.personal_id import generate_personal_id
from dancu.core.text import fold
from dancu.core.units import UnknownUnitError, get_unit, personal_id_province_code
from dancu.registry.errors import InvalidRegisterInputError, PersonNotFoundError, RegistryError
from dancu.registry.history import changed_values, json_value, snapshot
from dancu.registry.importing import ImportReport, Progress, import_file
from dancu.registry.importing.cells import NameValue, Problem, check_name
from dancu.registry.locks import lock_person
from dancu.registry.models import (
    Household,
    IdentityCard,
    LifeEvent,
    LifeEventKind,
    Person,
    PersonChange,
    PersonStatus,
    Residence,
    ResidenceKind,
    Sex,
)
from dancu.registry.permissions import require_jurisdiction, require_role
from dancu.registry.queries import officer_actor

__all__ = [
    "card_expiry",
    "check_change_name",
    "check_import_file",
    "check_issue_card",
    "check_record_death",
    "check_register_birth",
    "check_register_residence",
    "check_update_contact",
    "do_change_name",
    "do_issue_card",
    "do_record_death",
    "do_register_birth",
    "do_register_residence",
    "do_update_contact",
]

T = TypeVar("T")

PERSON_BORN: Final = "registry.person_born"
PERSON_DIED: Final = "registry.person_died"
RESIDENCE_CHANGED: Final = "registry.residence_changed"
NAME_CHANGED: Final = "registry.name_changed"
CARD_ISSUED: Final = "registry.card_issued"

# Ages at which an identity card must be renewed (Law on Identification 2023, Art. 21); a card
# issued less than two years before one of them is valid until the next.
_RENEWAL_AGES: Final = (14, 25, 40, 60)


# --- shared steps ------------------------------------------------------------------------------


def _guarded(officer: Officer, action: str, subject: str, work: Callable[[], T]) -> T:
    """Run WORK; if it refuses, audit the refusal in its own transaction and re-raise."""
    try:
        return work()
    except RegistryError as refusal:
        with transaction.atomic():
            record(
                action=action,
                actor=officer_actor(officer),
                outcome=Outcome.REFUSED,
                subject_personal_id=subject,
                details={"code": refusal.code, "field": refusal.field},
            )
        raise


def _save(person: Person, fields: list[str]) -> None:
    """Save FIELDS of PERSON, bump its version, reset its import fingerprint."""
    person.version = F("version") + 1
    person.updated_at = timezone.now()
    person.import_digest = None
    person.save(update_fields=[*fields, "version", "updated_at", "import_digest"])
    person.refresh_from_db(fields=["version"])


def _history(person: Person, *, actor: Actor, action: str, before: dict[str, Any], reason: str) -> PersonChange:
    """Write the person's before/after and the audit entry for ACTION."""
    after = snapshot(person)
    old, new = changed_values(before, after)
    change = PersonChange.objects.create(
        person=person, action=action, actor_id=actor.id, reason=reason[:300], before=old, after=new
    )
    record(
        action=action,
        actor=actor,
        subject_personal_id=person.personal_id,
        object_type="registry.person",
        object_id=person.pk,
        fields=sorted(new),
        details={"before": old, "after": new, "reason": reason},
    )
    return change


def _today() -> dt.date:
    return timezone.localdate()


def _person_in_jurisdiction(officer: Officer, operation: str, personal_id: str) -> Person:
    require_role(officer, operation)
    person = Person.objects.filter(personal_id="".join(personal_id.split())).first()
    if person is None:
        raise PersonNotFoundError(personal_id)
    require_jurisdiction(officer, person.commune_code)
    return person


def _name(full_name: str) -> NameValue:
    checked = check_name(full_name)
    if isinstance(checked, Problem):
        vi, _, en = checked.message.partition(" / ")
        raise InvalidRegisterInputError(vi, en, field="full_name")
    return checked


def _commune(commune_code: str) -> tuple[str, str]:
    """(province code, name) of a current commune of this province, or a refusal."""
    try:
        unit = get_unit(commune_code.strip(), "current")
    except UnknownUnitError:
        unit = None
    if unit is None or unit.level != "commune" or unit.province_code != settings.DANCU_PROVINCE_CODE:
        raise InvalidRegisterInputError(
            f"Mã xã {commune_code!r} không phải xã, phường hiện hành của tỉnh",
            f"{commune_code!r} is not a current commune of this province",
            field="commune_code",
        )
    return unit.province_code, unit.name


# --- import ------------------------------------------------------------------------------------


def check_import_file(
    path: Path,
    *,
    actor: Actor,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV/XLSX file of persons (see :mod:`dancu.registry.importing`): every row is
    checked first; the file is written in one transaction or refused as a whole."""
    options: dict[str, Any] = {} if progress is None else {"progress": progress}
    return import_file(path, actor=actor, skip_invalid=skip_invalid, rejects_path=rejects_path, **options)


# --- birth -------------------------------------------------------------------------------------


def _allocate_personal_id(birth_year: int, sex: str) -> str:
    """A personal ID not yet in the register, with this province's birth-registration code.

    The six serial digits are random; a collision (one in a million per try at worst) is simply
    drawn again.
    """
    province = personal_id_province_code(settings.DANCU_PROVINCE_CODE)
    for _ in range(100):
        candidate = generate_personal_id(province, birth_year, sex, secrets.randbelow(1_000_000))
        if not Person.objects.filter(personal_id=candidate).exists():
            return candidate
    raise InvalidRegisterInputError(
        "Không cấp được số định danh", "could not allocate a personal ID"
    )  # pragma: no cover


def do_register_birth(
    *,
    actor: Actor,
    full_name: str,
    birth_date: dt.date,
    sex: str,
    commune_code: str,
    address_line: str = "",
    father: Person | None = None,
    mother: Person | None = None,
    household: Household | None = None,
    relation_to_head: str = "Con",
    ethnicity: str = "Kinh",
    nationality: str = "Việt Nam",
    birthplace: str = "",
    hometown: str = "",
    personal_id: str = "",
) -> Person:
    """Register a birth: a new person with a personal ID, a permanent residence and a BIRTH
    life event; publishes ``registry.person_born``."""
    name = _name(full_name)
    province_code, unit_name = _commune(commune_code)
    with transaction.atomic():
        person = Person.objects.create(
            personal_id=personal_id or _allocate_personal_id(birth_date.year, sex),
            full_name=name.full_name,
            surname=name.surname,
            middle_name=name.middle_name,
            given_name=name.given_name,
            name_key=name.name_key,
            birth_date=birth_date,
            birth_year=birth_date.year,
            sex=sex,
            ethnicity=ethnicity,
            nationality=nationality,
            birthplace=birthplace,
            hometown=hometown,
            household=household,
            relation_to_head=relation_to_head if household else "",
            father=father,
            mother=mother,
            commune_code=commune_code,
        )
        Residence.objects.create(
            person=person,
            kind=ResidenceKind.PERMANENT,
            province_code=province_code,
            commune_code=commune_code,
            recorded_unit_code=commune_code,
            recorded_unit_era="current",
            recorded_unit_name=unit_name,
            address_line=address_line,
            valid_from=birth_date,
        )
        LifeEvent.objects.create(
            person=person, kind=LifeEventKind.BIRTH, occurred_on=birth_date, actor_id=actor.id, details={}
        )
        _history(person, actor=actor, action="registry.person.register_birth", before={}, reason="khai sinh / birth")
        publish(
            PERSON_BORN,
            {"personal_id": person.personal_id, "birth_date": birth_date.isoformat(), "commune_code": commune_code},
        )
    return person


def check_register_birth(
    officer: Officer,
    *,
    full_name: str,
    birth_date: dt.date,
    sex: str,
    commune_code: str,
    address_line: str = "",
    father_id: str = "",
    mother_id: str = "",
    household_code: str = "",
) -> Person:
    """Register a birth on behalf of a civil-status officer of the commune."""

    def work() -> Person:
        require_role(officer, "register_birth")
        require_jurisdiction(officer, commune_code)
        if birth_date > _today():
            raise InvalidRegisterInputError("Ngày sinh chưa đến", "the birth date is in the future", field="birth_date")
        if sex not in (Sex.MALE, Sex.FEMALE):
            raise InvalidRegisterInputError("Giới tính không hợp lệ", "invalid sex", field="sex")
        parents: dict[str, Person | None] = {"father": None, "mother": None}
        for role, pid, wanted in (("father", father_id, Sex.MALE), ("mother", mother_id, Sex.FEMALE)):
            if pid.strip():
                parent = Person.objects.filter(personal_id="".join(pid.split())).first()
                if parent is None or parent.sex != wanted:
                    raise InvalidRegisterInputError(
                        f"Không có {'cha' if role == 'father' else 'mẹ'} mang số {pid}",
                        f"no {role} with ID {pid}",
                        field=f"{role}_id",
                    )
                parents[role] = parent
        household = None
        if household_code.strip():
            household = Household.objects.filter(code=household_code.strip(), commune_code=commune_code).first()
            if household is None:
                raise InvalidRegisterInputError(
                    "Không có hộ này ở xã đăng ký", "no such household in this commune", field="household_code"
                )
        return do_register_birth(
            actor=officer_actor(officer),
            full_name=full_name,
            birth_date=birth_date,
            sex=sex,
            commune_code=commune_code,
            address_line=address_line,
            father=parents["father"],
            mother=parents["mother"],
            household=household,
        )

    return _guarded(officer, "registry.person.register_birth", "", work)


# --- death -------------------------------------------------------------------------------------


def do_record_death(person: Person, *, actor: Actor, deceased_on: dt.date, reason: str = "") -> Person:
    """Record a death: status, date, a DEATH life event; publishes ``registry.person_died``
    (identity locks the e-ID account, exchange notifies subscribed agencies)."""
    with transaction.atomic():
        person = lock_person(person.personal_id)
        before = snapshot(person)
        person.status = PersonStatus.DECEASED
        person.deceased_on = deceased_on
        _save(person, ["status", "deceased_on"])
        LifeEvent.objects.create(
            person=person, kind=LifeEventKind.DEATH, occurred_on=deceased_on, actor_id=actor.id, details={}
        )
        _history(
            person,
            actor=actor,
            action="registry.person.record_death",
            before=before,
            reason=reason or "khai tử / death",
        )
        publish(
            PERSON_DIED,
            {
                "personal_id": person.personal_id,
                "deceased_on": deceased_on.isoformat(),
                "occurred_on": deceased_on.isoformat(),
            },
        )
    return person


def check_record_death(officer: Officer, personal_id: str, *, deceased_on: dt.date, reason: str = "") -> Person:
    """Record a death on behalf of a civil-status officer covering the person's commune."""

    def work() -> Person:
        person = _person_in_jurisdiction(officer, "record_death", personal_id)
        if person.status == PersonStatus.DECEASED:
            raise InvalidRegisterInputError(
                "Người này đã được khai tử", "this death is already registered", field="status"
            )
        if deceased_on > _today() or deceased_on < person.birth_date:
            raise InvalidRegisterInputError(
                "Ngày mất phải sau ngày sinh và không ở tương lai",
                "the date of death must be after the birth and not in the future",
                field="deceased_on",
            )
        return do_record_death(person, actor=officer_actor(officer), deceased_on=deceased_on, reason=reason)

    return _guarded(officer, "registry.person.record_death", personal_id, work)


# --- name --------------------------------------------------------------------------------------


def do_change_name(person: Person, *, actor: Actor, full_name: str, reason: str) -> Person:
    """Change a person's name (with its parts and search key); a NAME_CHANGE life event;
    publishes ``registry.name_changed``."""
    name = _name(full_name)
    with transaction.atomic():
        person = lock_person(person.personal_id)
        before = snapshot(person)
        previous = person.full_name
        person.full_name = name.full_name
        person.surname = name.surname
        person.middle_name = name.middle_name
        person.given_name = name.given_name
        person.name_key = name.name_key
        _save(person, ["full_name", "surname", "middle_name", "given_name", "name_key"])
        today = _today()
        LifeEvent.objects.create(
            person=person,
            kind=LifeEventKind.NAME_CHANGE,
            occurred_on=today,
            actor_id=actor.id,
            details={"previous_full_name": previous, "full_name": name.full_name},
        )
        _history(person, actor=actor, action="registry.person.change_name", before=before, reason=reason)
        publish(NAME_CHANGED, {"personal_id": person.personal_id, "occurred_on": today.isoformat()})
    return person


def check_change_name(officer: Officer, personal_id: str, *, full_name: str, reason: str) -> Person:
    """Change a name on behalf of a civil-status officer; the reason (decision number) is required."""

    def work() -> Person:
        person = _person_in_jurisdiction(officer, "change_name", personal_id)
        if not reason.strip():
            raise InvalidRegisterInputError("Cần ghi căn cứ thay đổi", "a reason is required", field="reason")
        if fold(full_name) == person.name_key and _name(full_name).full_name == person.full_name:
            raise InvalidRegisterInputError("Họ tên không thay đổi", "the name is unchanged", field="full_name")
        return do_change_name(person, actor=officer_actor(officer), full_name=full_name, reason=reason)

    return _guarded(officer, "registry.person.change_name", personal_id, work)


# --- residence ---------------------------------------------------------------------------------


def do_register_residence(
    person: Person,
    *,
    actor: Actor,
    kind: str,
    commune_code: str,
    address_line: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    household: Household | None = None,
    relation_to_head: str = "",
) -> Residence:
    """Register a permanent or temporary residence (or the current place of living).

    The previous active residence of that kind is closed, never rewritten. A permanent move
    updates the person's commune (and household, when given) and publishes
    ``registry.residence_changed``.
    """
    province_code, unit_name = _commune(commune_code)
    with transaction.atomic():
        person = lock_person(person.personal_id)
        before = snapshot(person)
        previous_commune = person.commune_code
        Residence.objects.filter(person=person, kind=kind, is_active=True).update(is_active=False, valid_to=valid_from)
        residence = Residence.objects.create(
            person=person,
            kind=kind,
            province_code=province_code,
            commune_code=commune_code,
            recorded_unit_code=commune_code,
            recorded_unit_era="current",
            recorded_unit_name=unit_name,
            address_line=address_line,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        fields: list[str] = []
        if kind == ResidenceKind.PERMANENT:
            person.commune_code = commune_code
            fields.append("commune_code")
            if household is not None:
                person.household = household
                person.relation_to_head = relation_to_head or person.relation_to_head
                fields += ["household", "relation_to_head"]
        _save(person, fields)
        if kind == ResidenceKind.PERMANENT:
            LifeEvent.objects.create(
                person=person,
                kind=LifeEventKind.RESIDENCE_CHANGE,
                occurred_on=valid_from,
                actor_id=actor.id,
                details={"commune_code": commune_code, "previous_commune_code": previous_commune},
            )
        _history(person, actor=actor, action=f"registry.person.register_residence.{kind}", before=before, reason="")
        if kind == ResidenceKind.PERMANENT:
            publish(
                RESIDENCE_CHANGED,
                {
                    "personal_id": person.personal_id,
                    "commune_code": commune_code,
                    "previous_commune_code": previous_commune,
                    "valid_from": valid_from.isoformat(),
                },
            )
    return residence


def check_register_residence(
    officer: Officer,
    personal_id: str,
    *,
    kind: str,
    commune_code: str,
    address_line: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    household_code: str = "",
    relation_to_head: str = "",
) -> Residence:
    """Register a residence on behalf of the police registration officer of the destination commune."""

    def work() -> Residence:
        require_role(officer, "change_residence")
        person = Person.objects.filter(personal_id="".join(personal_id.split())).first()
        if person is None:
            raise PersonNotFoundError(personal_id)
        # Residence is registered where the person goes to live: that commune's police decide.
        require_jurisdiction(officer, commune_code)
        if kind not in ResidenceKind.values:
            raise InvalidRegisterInputError("Loại cư trú không hợp lệ", "invalid kind of residence", field="kind")
        if person.status == PersonStatus.DECEASED:
            raise InvalidRegisterInputError("Người này đã mất", "this person is deceased", field="status")
        if valid_to is not None and valid_to < valid_from:
            raise InvalidRegisterInputError(
                "Ngày kết thúc trước ngày bắt đầu", "the end is before the start", field="valid_to"
            )
        household = None
        if household_code.strip():
            household = Household.objects.filter(code=household_code.strip(), commune_code=commune_code).first()
            if household is None:
                raise InvalidRegisterInputError(
                    "Không có hộ này ở xã đăng ký", "no such household in this commune", field="household_code"
                )
        return do_register_residence(
            person,
            actor=officer_actor(officer),
            kind=kind,
            commune_code=commune_code,
            address_line=address_line,
            valid_from=valid_from,
            valid_to=valid_to,
            household=household,
            relation_to_head=relation_to_head or ("" if household is None else "Khác"),
        )

    return _guarded(officer, "registry.person.register_residence", personal_id, work)


# --- identity card -----------------------------------------------------------------------------


def _birthday(birth_date: dt.date, age: int) -> dt.date:
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:  # born on 29 February
        return dt.date(birth_date.year + age, 3, 1)


def card_expiry(birth_date: dt.date, issued_on: dt.date) -> dt.date | None:
    """When a card issued on ISSUED_ON expires: the next renewal age (14, 25, 40, 60) at least
    two years away; None (no expiry) for a card issued from 58 on."""
    for age in _RENEWAL_AGES:
        due = _birthday(birth_date, age)
        if due > _birthday(issued_on, 2):
            return due
    return None


def do_issue_card(
    person: Person,
    *,
    actor: Actor,
    issued_on: dt.date,
    kind: str = IdentityCard.Kind.CAN_CUOC_2024,
    expires_on: dt.date | None = None,
) -> IdentityCard:
    """Issue an identity card (its number is the personal ID); earlier cards stop being current.
    Publishes ``registry.card_issued``."""
    with transaction.atomic():
        person = lock_person(person.personal_id)
        before = snapshot(person)
        expiry = expires_on if expires_on is not None else card_expiry(person.birth_date, issued_on)
        IdentityCard.objects.filter(person=person, is_current=True).update(is_current=False)
        card = IdentityCard.objects.create(
            person=person, number=person.personal_id, kind=kind, issued_on=issued_on, expires_on=expiry
        )
        _save(person, [])
        LifeEvent.objects.create(
            person=person,
            kind=LifeEventKind.CARD_ISSUED,
            occurred_on=issued_on,
            actor_id=actor.id,
            details={"card_kind": kind, "expires_on": json_value(expiry)},
        )
        _history(person, actor=actor, action="registry.person.issue_card", before=before, reason="cấp thẻ / card")
        publish(
            CARD_ISSUED,
            {
                "personal_id": person.personal_id,
                "card_kind": kind,
                "issued_on": issued_on.isoformat(),
                "expires_on": json_value(expiry),
            },
        )
    return card


def check_issue_card(
    officer: Officer, personal_id: str, *, issued_on: dt.date, kind: str = IdentityCard.Kind.CAN_CUOC_2024
) -> IdentityCard:
    """Issue a card on behalf of a police registration officer covering the person."""

    def work() -> IdentityCard:
        person = _person_in_jurisdiction(officer, "issue_card", personal_id)
        if person.status == PersonStatus.DECEASED:
            raise InvalidRegisterInputError("Người này đã mất", "this person is deceased", field="status")
        if kind not in IdentityCard.Kind.values or issued_on > _today() or issued_on < person.birth_date:
            raise InvalidRegisterInputError(
                "Loại thẻ hoặc ngày cấp không hợp lệ", "invalid card kind or issue date", field="issued_on"
            )
        return do_issue_card(person, actor=officer_actor(officer), issued_on=issued_on, kind=kind)

    return _guarded(officer, "registry.person.issue_card", personal_id, work)


# --- contact -----------------------------------------------------------------------------------


def do_update_contact(person: Person, *, actor: Actor, phone: str, email: str, reason: str = "") -> Person:
    """Set a person's phone and email (no life event)."""
    with transaction.atomic():
        person = lock_person(person.personal_id)
        before = snapshot(person)
        person.phone = phone
        person.email = email
        _save(person, ["phone", "email"])
        _history(person, actor=actor, action="registry.person.update_contact", before=before, reason=reason)
    return person


def check_update_contact(officer: Officer, personal_id: str, *, phone: str, email: str, reason: str = "") -> Person:
    """Update contact details on behalf of an officer covering the person."""

    def work() -> Person:
        person = _person_in_jurisdiction(officer, "update_contact", personal_id)
        cleaned_phone = "".join(c for c in phone if c.isdigit())
        if cleaned_phone and not (cleaned_phone.startswith("0") and len(cleaned_phone) in (10, 11)):
            raise InvalidRegisterInputError(
                "Số điện thoại phải có 10 hoặc 11 chữ số, bắt đầu bằng 0",
                "a phone number has 10 or 11 digits and starts with 0",
                field="phone",
            )
        cleaned_email = email.strip()
        if cleaned_email and ("@" not in cleaned_email or len(cleaned_email) > 254):
            raise InvalidRegisterInputError("Địa chỉ thư điện tử không hợp lệ", "not an email address", field="email")
        if cleaned_phone == person.phone and cleaned_email == person.email:
            raise InvalidRegisterInputError("Không có gì thay đổi", "nothing changed", field="phone")
        return do_update_contact(
            person, actor=officer_actor(officer), phone=cleaned_phone, email=cleaned_email, reason=reason
        )

    return _guarded(officer, "registry.person.update_contact", personal_id, work)
