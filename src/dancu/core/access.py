"""The vocabulary of authorisation shared by every app: officer roles and jurisdictions.

Lower apps (registry) check access against these values without importing ``identity``, which
owns the accounts that carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db import models


class OfficerRole(models.TextChoices):
    CIVIL_STATUS = "civil_status", "Công chức tư pháp - hộ tịch xã / Commune civil-status officer"
    POLICE_REGISTRATION = "police_registration", "Cán bộ đăng ký cư trú (công an) / Police registration officer"
    SOCIAL_INSURANCE = "social_insurance", "Cán bộ bảo hiểm xã hội / Social-insurance officer"
    DEPARTMENT_ADMIN = "department_admin", "Quản trị sở / Department administrator"
    LEADER = "leader", "Lãnh đạo tỉnh / Provincial leader"
    AUDITOR = "auditor", "Kiểm toán viên / Auditor"


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
