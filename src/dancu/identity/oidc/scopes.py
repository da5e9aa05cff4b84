"""Scopes, the claims each one releases, and their values taken from the population register.

The consent screen lists exactly :func:`claims_for_scope` of what the client asked and may
have; the userinfo endpoint returns exactly the claims consented to (kept on the token).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from dancu.core.units import UnknownUnitError, get_unit
from dancu.identity.models import Client, User
from dancu.identity.oidc.tokens import pairwise_subject
from dancu.registry.models import DatePrecision, Person, Residence, ResidenceKind, Sex

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

__all__ = [
    "CLAIM_LABELS",
    "EXCHANGE_SCOPE",
    "SCOPE_CLAIMS",
    "claim_values",
    "claims_for_scope",
]

EXCHANGE_SCOPE = "exchange"
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("name", "family_name", "middle_name", "given_name", "gender"),
    "birthdate": ("birthdate",),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
    "personal_id": ("personal_id",),
    "household": ("household",),
}
CLAIM_LABELS: dict[str, StrPromise] = {
    "sub": _("Mã định danh riêng cho ứng dụng này"),
    "name": _("Họ và tên"),
    "family_name": _("Họ"),
    "middle_name": _("Tên đệm"),
    "given_name": _("Tên"),
    "gender": _("Giới tính"),
    "birthdate": _("Ngày sinh"),
    "address": _("Địa chỉ thường trú"),
    "phone_number": _("Số điện thoại"),
    "phone_number_verified": _("Số điện thoại đã xác thực"),
    "personal_id": _("Số định danh cá nhân"),
    "household": _("Hộ gia đình (số hộ, quan hệ với chủ hộ)"),
}


def claims_for_scope(scope: str) -> list[str]:
    """The claims released by the scopes in ``scope``, in a fixed order."""
    requested = set(scope.split())
    return [claim for name, claims in SCOPE_CLAIMS.items() if name in requested for claim in claims]


def _birthdate(person: Person) -> str:
    # OIDC Core §5.1: "YYYY" when only the year is known; month-only precision has no form of
    # its own, so it too is released as the year rather than as an invented day.
    if person.birth_precision == DatePrecision.DAY:
        return person.birth_date.isoformat()
    return f"{person.birth_date.year:04d}"


def _address(person: Person) -> dict[str, str]:
    residence = (
        Residence.objects.filter(person=person, kind=ResidenceKind.PERMANENT, is_active=True).order_by("-id").first()
    )
    if residence is None:
        return {"country": "VN"}
    # Relying parties want the names people write on forms, not the statistical codes.
    locality = _unit_name(residence.commune_code)
    region = _unit_name(residence.province_code)
    return {
        "formatted": ", ".join(part for part in (residence.address_line, locality, region) if part),
        "street_address": residence.address_line,
        "locality": locality,
        "region": region,
        "country": "VN",
    }


def _unit_name(code: str) -> str:
    """The current unit's official name; the code itself for a unit we do not know."""
    try:
        return get_unit(code, "current").name
    except UnknownUnitError:
        return code


def _e164(phone: str) -> str:
    return "+84" + phone[1:] if phone.startswith("0") else phone


def claim_values(user: User, client: Client, claims: list[str]) -> dict[str, Any]:
    """The values of ``claims`` for ``user`` as ``client`` may see them (``sub`` pairwise)."""
    values: dict[str, Any] = {"sub": pairwise_subject(user, client)}
    person = user.person
    wanted = set(claims)
    if person is not None:
        if "name" in wanted:
            values["name"] = person.full_name
        if "family_name" in wanted:
            values["family_name"] = person.surname
        if "middle_name" in wanted and person.middle_name:
            values["middle_name"] = person.middle_name
        if "given_name" in wanted:
            values["given_name"] = person.given_name
        if "gender" in wanted:
            values["gender"] = "male" if person.sex == Sex.MALE else "female"
        if "birthdate" in wanted:
            values["birthdate"] = _birthdate(person)
        if "address" in wanted:
            values["address"] = _address(person)
        if "personal_id" in wanted:
            values["personal_id"] = person.personal_id
        if "household" in wanted:
            household = person.household
            values["household"] = {
                "household_id": household.code if household is not None else None,
                "relation_to_head": person.relation_to_head or None,
            }
    if "phone_number" in wanted and user.phone:
        values["phone_number"] = _e164(user.phone)
    if "phone_number_verified" in wanted and user.phone:
        values["phone_number_verified"] = user.phone_verified_at is not None
    return values
