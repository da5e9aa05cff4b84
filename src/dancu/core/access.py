"""The vocabulary of authorisation shared by every app: officer roles and jurisdictions.

Lower apps (registry) check access against these values without importing ``identity``, which
owns the accounts that carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficerRole(models.TextChoices):
    CIVIL_STATUS = "civil_status", _("Công chức tư pháp - hộ tịch xã")
    POLICE_REGISTRATION = "police_registration", _("Cán bộ đăng ký cư trú (công an)")
    SOCIAL_INSURANCE = "social_insurance", _("Cán bộ bảo hiểm xã hội")
    DEPARTMENT_ADMIN = "department_admin", _("Quản trị sở")
    LEADER = "leader", _("Lãnh đạo tỉnh")
    AUDITOR = "auditor", _("Kiểm toán viên")


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """Where an officer may act: the whole province, or a set of current commune codes."""

    province_wide: bool = False
    communes: frozenset[str] = frozenset()

    def covers(self, commune_code: str) -> bool:
        return self.province_wide or commune_code in self.communes

    @property
    def is_empty(self) -> bool:
        return not self.province_wide and not self.communes


NOWHERE = Jurisdiction()


class Officer(Protocol):
    """What the registry needs to know of an authenticated officer."""

    @property
    def actor_id(self) -> str: ...

    @property
    def officer_role(self) -> str: ...

    @property
    def jurisdiction(self) -> Jurisdiction: ...
