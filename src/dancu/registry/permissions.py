"""Who may do what in the register: officer roles × operations, and the jurisdiction check.

Deny by default (DESIGN.md §3): a role not listed for an operation may not do it, and an
officer acts only on persons whose current commune their jurisdiction covers.
"""

from __future__ import annotations

from typing import Final

from dancu.core.access import Officer, OfficerRole
from dancu.registry.errors import NotInJurisdictionError, RoleNotAllowedError

__all__ = ["OPERATIONS", "can", "require_jurisdiction", "require_role"]

_VIEWERS: Final = frozenset(
    {
        OfficerRole.CIVIL_STATUS,
        OfficerRole.POLICE_REGISTRATION,
        OfficerRole.SOCIAL_INSURANCE,
        OfficerRole.DEPARTMENT_ADMIN,
    }
)

#: operation -> (roles allowed, what it is in Vietnamese, in English)
OPERATIONS: Final[dict[str, tuple[frozenset[str], str, str]]] = {
    "view": (_VIEWERS, "xem thông tin công dân", "view a person's record"),
    "search": (_VIEWERS, "tra cứu công dân", "search the register"),
    "register_birth": (frozenset({OfficerRole.CIVIL_STATUS}), "đăng ký khai sinh", "register a birth"),
    "record_death": (frozenset({OfficerRole.CIVIL_STATUS}), "đăng ký khai tử", "register a death"),
    "change_name": (frozenset({OfficerRole.CIVIL_STATUS}), "thay đổi họ tên", "change a name"),
    "change_residence": (
        frozenset({OfficerRole.POLICE_REGISTRATION}),
        "đăng ký cư trú",
        "register a residence",
    ),
    "issue_card": (frozenset({OfficerRole.POLICE_REGISTRATION}), "cấp thẻ căn cước", "issue an ID card"),
    "update_contact": (
        frozenset({OfficerRole.CIVIL_STATUS, OfficerRole.POLICE_REGISTRATION}),
        "sửa thông tin liên hệ",
        "update contact details",
    ),
}


def can(officer: Officer, operation: str) -> bool:
    """True when OFFICER's role allows OPERATION (jurisdiction is checked separately)."""
    roles, _, _ = OPERATIONS[operation]
    return officer.officer_role in roles


def require_role(officer: Officer, operation: str) -> None:
    """Raise :class:`RoleNotAllowedError` unless OFFICER's role allows OPERATION."""
    roles, what_vi, what_en = OPERATIONS[operation]
    if officer.officer_role not in roles:
        raise RoleNotAllowedError(what_vi, what_en)


def require_jurisdiction(officer: Officer, commune_code: str) -> None:
    """Raise :class:`NotInJurisdictionError` unless OFFICER covers COMMUNE_CODE."""
    if not officer.jurisdiction.covers(commune_code):
        raise NotInJurisdictionError
