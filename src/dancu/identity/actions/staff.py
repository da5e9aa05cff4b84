"""Officer and administrator accounts, created by administrators (``dancu account``, the admin)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from dancu.core import audit, organisations
from dancu.core.access import OfficerRole
from dancu.core.audit import Actor
from dancu.identity.actions.factors import do_start_totp_enrolment
from dancu.identity.errors import IdentityError
from dancu.identity.models import RegisteredVia, TotpDevice, User, UserKind
from dancu.identity.passwords import PasswordPolicyError, check_password_policy

__all__ = ["check_set_officer_organisation", "do_create_admin", "do_create_officer", "do_set_officer_organisation"]


def _password(password: str, username: str) -> str:
    try:
        # Staff always log in with a second factor (TOTP), so 8 characters is the floor.
        return check_password_policy(password, has_second_factor=True, context=(username,))
    except PasswordPolicyError as exc:
        raise IdentityError(f"password_{exc.code}", exc.message) from exc


def _confirmed_totp(user: User) -> TotpDevice:
    device = do_start_totp_enrolment(user)
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    return device


def do_create_officer(
    username: str,
    *,
    display_name: str,
    role: str,
    password: str,
    communes: Sequence[str] = (),
    province_wide: bool = False,
    organisation: str = "",
    actor: Actor,
) -> tuple[User, TotpDevice]:
    """Create an officer with a role, a jurisdiction, the agency they work for (its member
    organisation code) and an authenticator secret (returned so it can be handed over once;
    TOTP is mandatory for officers)."""
    if role not in OfficerRole.values:
        raise IdentityError("invalid_role", f"Vai trò không hợp lệ / Unknown role: {role}")
    if not province_wide and not communes:
        raise IdentityError(
            "jurisdiction_required", "Cần địa bàn (xã/phường hoặc toàn tỉnh) / A jurisdiction is required"
        )
    if User.objects.filter(username=username).exists():
        raise IdentityError("username_taken", f"Tên đăng nhập đã có / The username is taken: {username}")
    organisation = organisation.strip()
    if len(organisation) > 100:
        raise IdentityError(
            "invalid_organisation", "Mã cơ quan quá dài (tối đa 100 ký tự) / Organisation code too long (100 at most)"
        )
    value = _password(password, username)
    with transaction.atomic():
        user = User(
            username=username,
            kind=UserKind.OFFICER,
            organisation=organisation,
            display_name=display_name,
            officer_role=role,
            province_wide=province_wide,
            commune_codes=sorted(set(communes)),
            registered_via=RegisteredVia.ADMIN,
            password_changed_at=timezone.now(),
        )
        user.set_password(value)
        user.save()
        device = _confirmed_totp(user)
        audit.record(
            action="identity.officer_created",
            actor=actor,
            object_type="account",
            object_id=user.pk,
            details={
                "username": username,
                "role": role,
                "province_wide": province_wide,
                "communes": sorted(set(communes)),
                "organisation": organisation,
            },
        )
    return user, device


def do_create_admin(username: str, *, password: str, display_name: str = "", actor: Actor) -> tuple[User, TotpDevice]:
    """Create an administrator (Django admin access, client registration) with TOTP."""
    if User.objects.filter(username=username).exists():
        raise IdentityError("username_taken", f"Tên đăng nhập đã có / The username is taken: {username}")
    value = _password(password, username)
    with transaction.atomic():
        user = User(
            username=username,
            kind=UserKind.ADMIN,
            display_name=display_name or username,
            is_staff=True,
            is_superuser=True,
            registered_via=RegisteredVia.ADMIN,
            password_changed_at=timezone.now(),
        )
        user.set_password(value)
        user.save()
        device = _confirmed_totp(user)
        audit.record(
            action="identity.admin_created",
            actor=actor,
            object_type="account",
            object_id=user.pk,
            details={"username": username},
        )
    return user, device


def check_set_officer_organisation(officer: User, code: str, *, actor: Actor) -> bool:
    """Give an officer the agency they work for, by its member organisation code, which must be
    one the exchange knows (an officer moved, or created before the agency was onboarded). False
    when the officer already had it."""
    code = code.strip()
    if not officer.is_officer:
        raise IdentityError(
            "not_an_officer", f"Tài khoản không phải cán bộ / The account is not an officer's: {officer.username}"
        )
    if organisations.member_name(code) is None:
        raise IdentityError(
            "unknown_organisation",
            f"Không có thành viên kết nối với mã cơ quan {code!r} / "
            f"No member organisation has the organisation code {code!r}",
        )
    return do_set_officer_organisation(officer, code, actor=actor)


def do_set_officer_organisation(officer: User, code: str, *, actor: Actor) -> bool:
    """Set ``officer.organisation`` and audit the old and new codes; False (nothing written)
    when it is already ``code``."""
    previous = officer.organisation
    if previous == code:
        return False
    with transaction.atomic():
        officer.organisation = code
        officer.save(update_fields=["organisation"])
        audit.record(
            action="identity.officer_organisation_changed",
            actor=actor,
            object_type="account",
            object_id=officer.pk,
            fields=["organisation"],
            details={"username": officer.username, "old": previous, "new": code},
        )
    return True
