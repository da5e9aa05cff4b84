"""Who may link extracts and review results (docs/adr/0008-linkage-jobs.md).

- **Run and review** (upload an extract, confirm its mapping, decide review rows): officers of
  the sectoral agencies that own extracts — ``social_insurance`` (BHXH, the largest extract
  owner) and ``department_admin`` (the provincial departments: health, education, labour…).
- **Read** (jobs, results, correction lists, decision journal): the same, and ``auditor``.
- Either way the officer must be **province-wide**: a run compares the extract with the whole
  register of the province and its results show register values of anyone in it, which a
  commune officer may not see.
- **Agencies.** A job, its source, review rows and decisions belong to the agency of the officer
  who uploaded it: its member organisation code (``exchange.Member.code``), which officer
  accounts carry as ``organisation``. Officers who run and review see only their own agency's
  work, and an officer of no agency is refused. Auditors read every agency's work (oversight is
  their task) and still change nothing. A job of another agency is refused and audited, never
  shown.

Citizens, officers without a role and officers of other roles are refused. The rules take a
plain :class:`LinkageOfficer`, so this module needs nothing from ``identity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.core.exceptions import PermissionDenied

from dancu.core.access import Jurisdiction, OfficerRole
from dancu.core.audit import Actor
from dancu.core.models import ActorKind

__all__ = [
    "EVERY_AGENCY_ROLES",
    "OTHER_AGENCY",
    "READ_ROLES",
    "RUN_ROLES",
    "LinkageOfficer",
    "LinkageRefused",
    "linkage_officer",
]

RUN_ROLES: Final = frozenset({OfficerRole.SOCIAL_INSURANCE.value, OfficerRole.DEPARTMENT_ADMIN.value})
READ_ROLES: Final = RUN_ROLES | {OfficerRole.AUDITOR.value}
#: Roles that read the work of every agency (and never write).
EVERY_AGENCY_ROLES: Final = frozenset({OfficerRole.AUDITOR.value})

OTHER_AGENCY: Final = "Phiên này thuộc cơ quan khác / This job belongs to another agency"


class LinkageRefused(PermissionDenied):
    """The user may not do this; the message says why in Vietnamese and English."""


@dataclass(frozen=True, slots=True)
class LinkageOfficer:
    """An authenticated officer as the linkage rules see them."""

    actor_id: str
    role: str
    jurisdiction: Jurisdiction
    #: The officer's agency (member organisation code); "" only for roles in EVERY_AGENCY_ROLES.
    agency: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(kind=ActorKind.OFFICER, id=self.actor_id, organisation=self.agency)

    @property
    def may_run(self) -> bool:
        return self.role in RUN_ROLES

    @property
    def sees_every_agency(self) -> bool:
        return self.role in EVERY_AGENCY_ROLES

    def may_see(self, agency: str) -> bool:
        """May this officer see the work of ``agency``? Deny unless it is theirs (or they audit)."""
        return self.sees_every_agency or (bool(self.agency) and agency == self.agency)


def linkage_officer(user: object, *, run: bool) -> LinkageOfficer:
    """The linkage officer behind ``user`` (a logged-in account), or :class:`LinkageRefused`.

    ``run=True`` asks for the right to run and review; ``False`` only to read.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_officer", False):
        raise LinkageRefused("Chỉ cán bộ được liên kết dữ liệu / Only officers may use record linkage")
    role = str(getattr(user, "officer_role", ""))
    allowed = RUN_ROLES if run else READ_ROLES
    if role not in allowed:
        raise LinkageRefused(
            "Vai trò của bạn không được phép liên kết dữ liệu / Your role may not use record linkage"
            if run
            else "Vai trò của bạn không được xem kết quả liên kết / Your role may not see linkage results"
        )
    jurisdiction = getattr(user, "jurisdiction", None)
    if not isinstance(jurisdiction, Jurisdiction) or not jurisdiction.province_wide:
        raise LinkageRefused(
            "Liên kết dữ liệu cần phạm vi toàn tỉnh / Record linkage needs a province-wide jurisdiction"
        )
    agency = str(getattr(user, "organisation", "") or "").strip()
    if not agency and role not in EVERY_AGENCY_ROLES:
        raise LinkageRefused("Tài khoản của bạn chưa gắn với cơ quan nào / Your account belongs to no agency")
    return LinkageOfficer(
        actor_id=str(getattr(user, "actor_id", "")), role=role, jurisdiction=jurisdiction, agency=agency
    )
