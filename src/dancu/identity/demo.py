"""Demo accounts for a demo province: a level-2 citizen, a level-1 citizen, one officer per role,
an administrator. Idempotent: a second run returns the same accounts.

The passwords and TOTP secrets are printed by ``dancu demo`` so a person can log in; they are
demo-only values and never used outside a demo database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from dancu.core.access import OfficerRole
from dancu.core.audit import Actor
from dancu.identity.actions import do_create_admin, do_create_citizen_account, do_create_officer
from dancu.identity.models import EidLevel, RegisteredVia, TotpDevice, User, UserKind
from dancu.registry.actions import do_issue_card
from dancu.registry.models import IdentityCard, Person, PersonStatus

__all__ = ["CITIZEN_PASSWORD", "STAFF_PASSWORD", "create_demo_accounts"]

CITIZEN_PASSWORD = "demo dancu hai phong 2026"  # noqa: S105 — demo-only, printed by `dancu demo`
STAFF_PASSWORD = "demo-can-bo-2026"  # noqa: S105 — demo-only, printed by `dancu demo`
# Commune-level roles get the commune of the demo citizens, so the police officer can raise the
# level-1 citizen to level 2 in the demo; the others see the whole province.
# username, role, province-wide, agency (member organisation code; linkage jobs belong to it)
_OFFICERS = (
    ("demo.hotich", OfficerRole.CIVIL_STATUS, False, ""),
    ("demo.congan", OfficerRole.POLICE_REGISTRATION, False, ""),
    ("demo.bhxh", OfficerRole.SOCIAL_INSURANCE, True, "BHXH-HP"),
    ("demo.quantriso", OfficerRole.DEPARTMENT_ADMIN, True, "BHXH-HP"),
    ("demo.lanhdao", OfficerRole.LEADER, True, ""),
    ("demo.kiemtoan", OfficerRole.AUDITOR, True, ""),
)
_ACTOR = Actor.system("dancu-demo")


def _pick_people() -> list[Person]:
    adult_year = timezone.localdate().year - 18
    candidates = (
        Person.objects.filter(status=PersonStatus.ALIVE, birth_year__lte=adult_year, account__isnull=True)
        .exclude(phone="")
        .exclude(commune_code="")
        .order_by("id")
    )
    first = candidates.first()
    if first is None:
        return []
    # Both citizens in one commune: the demo's commune officers can act on both.
    second = candidates.filter(commune_code=first.commune_code).exclude(pk=first.pk).first()
    return [first, second] if second is not None else [first]


def _give_card(person: Person) -> None:
    """A current ID card, so the demo's police officer can check it and raise the level."""
    if IdentityCard.objects.filter(person=person, is_current=True).exists():
        return
    issued = max(person.birth_date + dt.timedelta(days=14 * 366), dt.date(2021, 7, 1))
    do_issue_card(person, actor=_ACTOR, issued_on=min(issued, timezone.localdate()))


def _citizen(level: int) -> User | None:
    return (
        User.objects.filter(kind=UserKind.CITIZEN, registered_via=RegisteredVia.ADMIN, eid_level=level)
        .select_related("person")
        .order_by("id")
        .first()
    )


def _citizen_json(user: User) -> dict[str, Any]:
    assert user.person is not None
    return {
        "username": user.username,
        "password": CITIZEN_PASSWORD,
        "level": user.eid_level,
        "name": user.person.full_name,
        "birth_date": user.person.birth_date.isoformat(),
        "phone": user.phone,
        "commune_code": user.person.commune_code,
    }


def _staff_json(user: User) -> dict[str, Any]:
    device = TotpDevice.objects.filter(user=user).first()
    return {
        "username": user.username,
        "password": STAFF_PASSWORD,
        "role": user.officer_role or user.kind,
        "communes": "province" if user.province_wide else user.commune_codes,
        "organisation": user.organisation,
        "totp_secret": device.secret if device is not None else "",
    }


@transaction.atomic
def create_demo_accounts() -> dict[str, Any]:
    """Create the demo accounts that do not exist yet; return all of them with their secrets."""
    level2, level1 = _citizen(EidLevel.LEVEL2), _citizen(EidLevel.LEVEL1)
    if level2 is None or level1 is None:
        people = _pick_people()
        for person, level in zip(people, (EidLevel.LEVEL2, EidLevel.LEVEL1), strict=False):
            _give_card(person)
            if _citizen(level) is None:
                do_create_citizen_account(
                    person,
                    password=CITIZEN_PASSWORD,
                    level=level,
                    via=RegisteredVia.ADMIN,
                    phone=person.phone,
                    phone_verified=True,
                    actor=_ACTOR,
                )
        level2, level1 = _citizen(EidLevel.LEVEL2), _citizen(EidLevel.LEVEL1)
    commune = level1.person.commune_code if level1 is not None and level1.person is not None else ""
    officers = []
    for username, role, province_wide, organisation in _OFFICERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            wide = province_wide or not commune
            with translation.override("en"):
                role_in_english = str(OfficerRole(role).label)
            user, _ = do_create_officer(
                username,
                display_name=f"Cán bộ demo ({role_in_english})",
                role=role,
                password=STAFF_PASSWORD,
                communes=() if wide else (commune,),
                province_wide=wide,
                organisation=organisation,
                actor=_ACTOR,
            )
        officers.append(_staff_json(user))
    admin = User.objects.filter(username="demo.admin").first()
    if admin is None:
        admin, _ = do_create_admin("demo.admin", password=STAFF_PASSWORD, display_name="Quản trị demo", actor=_ACTOR)
    return {
        "citizens": [_citizen_json(u) for u in (level2, level1) if u is not None],
        "officers": officers,
        "admin": _staff_json(admin),
        "note": "Tài khoản demo / demo accounts only; TOTP: add totp_secret to an authenticator app",
    }
