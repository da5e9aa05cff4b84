"""Linking an upstream login (VNeID, another Dancu) to a local account and a register person."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dancu.core import audit
from dancu.core.audit import Actor
from dancu.core.models import ActorKind
from dancu.identity import errors
from dancu.identity.actions.accounts import do_create_citizen_account
from dancu.identity.actions.codes import normalise_phone
from dancu.identity.errors import IdentityError
from dancu.identity.federation.client import UpstreamLogin
from dancu.identity.federation.config import UpstreamConfig
from dancu.identity.levels import level_of_acr
from dancu.identity.models import FederatedIdentity, RegisteredVia, User
from dancu.registry.models import DatePrecision, Person, PersonStatus

__all__ = ["check_federated_login"]


def _person_for(login: UpstreamLogin) -> Person:
    personal_id = login.claims.get("personal_id")
    if not isinstance(personal_id, str) or not personal_id:
        raise IdentityError(
            "upstream_no_personal_id",
            "Nhà cung cấp định danh không cho biết số định danh cá nhân / The upstream provider did not release the personal ID",
        )
    person = Person.objects.filter(personal_id=personal_id).first()
    if person is None:
        raise IdentityError(
            "not_in_register",
            "Không có trong Cơ sở dữ liệu dân cư của tỉnh / Not in this province's population register",
        )
    birthdate = login.claims.get("birthdate")
    known_day = person.birth_precision == DatePrecision.DAY and isinstance(birthdate, str) and len(birthdate) == 10
    if known_day and birthdate != person.birth_date.isoformat():
        raise IdentityError("not_in_register", errors.NOT_IN_REGISTER)
    if person.status == PersonStatus.DECEASED:
        raise IdentityError("deceased", errors.DECEASED)
    return person


def check_federated_login(login: UpstreamLogin, config: UpstreamConfig) -> tuple[User, str]:
    """The local account for a verified upstream login and the ``acr`` it reaches here.

    The first login links the upstream subject to the register person named by its personal
    ID (creating a password-less account if the person had none). The upstream's level passes
    through: it becomes the session's ``acr`` and, if higher, the account's level.
    """
    local_acr = config.local_acr(login.acr)
    if not local_acr:
        raise IdentityError(
            "upstream_level_unknown",
            "Mức định danh từ nhà cung cấp không được chấp nhận / The upstream's assurance level is not accepted",
        )
    level = level_of_acr(local_acr)
    now = timezone.now()
    with transaction.atomic():
        link = (
            FederatedIdentity.objects.select_related("user", "user__person")
            .select_for_update(of=("self",))
            .filter(issuer=login.issuer, subject=login.subject)
            .first()
        )
        if link is None:
            person = _person_for(login)
            user = User.objects.select_related("person").filter(person=person).first()
            if user is None:
                phone = normalise_phone(str(login.claims.get("phone_number", "")))
                user = do_create_citizen_account(
                    person,
                    password=None,
                    level=level,
                    via=RegisteredVia.FEDERATION,
                    phone=phone,
                    phone_verified=bool(phone and login.claims.get("phone_number_verified")),
                    actor=Actor(kind=ActorKind.SYSTEM, id=f"upstream:{login.issuer}"),
                )
            link = FederatedIdentity.objects.create(user=user, issuer=login.issuer, subject=login.subject)
        user = link.user
        if user.is_locked:
            raise IdentityError("account_locked", errors.ACCOUNT_LOCKED)
        if user.eid_level < level:
            previous = user.eid_level
            user.eid_level = level
            user.level_changed_at = now
            user.save(update_fields=["eid_level", "level_changed_at"])
            audit.record(
                action="identity.level_from_upstream",
                actor=Actor(kind=ActorKind.SYSTEM, id=f"upstream:{login.issuer}"),
                subject_personal_id=user.person.personal_id if user.person is not None else "",
                object_type="account",
                object_id=user.pk,
                details={"from": previous, "to": level, "upstream_acr": login.acr},
            )
        link.last_login_at = now
        link.last_acr = login.acr[:100]
        link.save(update_fields=["last_login_at", "last_acr"])
    return user, local_acr
