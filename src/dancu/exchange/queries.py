"""Typed reads of the gateway: who used a citizen's data, the data agreements a citizen can
consent to, onboarding requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

from dancu.core.models import ActorKind, AuditEntry, Outcome
from dancu.exchange.catalogue import FIELDS
from dancu.exchange.models import (
    AccessGrant,
    ConsentRecord,
    Member,
    MemberSystem,
    OnboardingRequest,
    OnboardingStatus,
    Purpose,
)

__all__ = [
    "Agreement",
    "Usage",
    "UsagePage",
    "agreements_for",
    "member_name",
    "onboarding_requests",
    "usage_of",
]

ACTION_LABELS: Final = {
    "exchange.verify": "Xác thực thông tin / Verification",
    "exchange.read": "Khai thác thông tin / Data read",
    "exchange.batch-verify": "Xác thực theo lô / Batch verification",
    "exchange.changes": "Thông báo biến động / Change notification",
    "exchange.card-qr": "Kiểm tra QR thẻ căn cước / ID card QR check",
    "exchange.usage": "Tra cứu lịch sử sử dụng dữ liệu / Usage history lookup",
    "exchange.consent_given": "Đồng ý chia sẻ dữ liệu / Consent given",
    "exchange.consent_withdrawn": "Rút lại sự đồng ý / Consent withdrawn",
}
#: For acts of other apps without a label of their own: what part of the platform acted.
AREA_LABELS: Final = {
    "identity": "Tài khoản định danh điện tử / e-ID account",
    "registry": "Cơ sở dữ liệu dân cư / Population register",
    "exchange": "Trao đổi dữ liệu / Data exchange",
}


def action_label(action: str) -> str:
    """A citizen-readable name for an audited action."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    area, _, rest = action.partition(".")
    if area in AREA_LABELS:
        return f"{AREA_LABELS[area]} ({rest.replace('_', ' ').replace('.', ' ')})"
    return action


@dataclass(frozen=True, slots=True)
class Usage:
    """One use of a person's data, as the person sees it."""

    at: dt.datetime
    action: str
    action_label: str
    outcome: str
    actor_kind: str
    organisation_code: str
    organisation_name: str
    system_name: str
    officer: str
    purpose_code: str
    purpose_title: str
    dossier: str
    fields: tuple[str, ...]
    field_labels: tuple[str, ...]
    request_id: str

    @property
    def refused(self) -> bool:
        return self.outcome != Outcome.OK


@dataclass(frozen=True, slots=True)
class UsagePage:
    total: int
    items: list[Usage] = field(default_factory=list)


def usage_of(
    personal_id: str,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
    exclude_actor_id: str = "",
) -> UsagePage:
    """Every audit entry about ``personal_id`` (newest first), with the organisation, system,
    officer, purpose and fields of each; ``exclude_actor_id`` leaves out the citizen's own acts."""
    entries = AuditEntry.objects.filter(subject_personal_id=personal_id)
    if start is not None:
        entries = entries.filter(at__gte=start)
    if end is not None:
        entries = entries.filter(at__lt=end)
    if exclude_actor_id:
        entries = entries.exclude(actor_kind=ActorKind.CITIZEN, actor_id=exclude_actor_id)
    total = entries.count()
    rows = list(entries.order_by("-at", "-id")[offset : offset + limit])
    client_ids = {r.actor_id for r in rows if r.actor_kind == ActorKind.MACHINE}
    systems = {s.client_id: s for s in MemberSystem.objects.filter(client_id__in=client_ids).select_related("member")}
    member_codes = {r.organisation for r in rows if r.organisation}
    members = {m.code: m.name for m in Member.objects.filter(code__in=member_codes)}
    purposes = {p.code: p.title for p in Purpose.objects.filter(code__in={r.purpose for r in rows if r.purpose})}
    items = []
    for row in rows:
        system = systems.get(row.actor_id) if row.actor_kind == ActorKind.MACHINE else None
        organisation_name = system.member.name if system else members.get(row.organisation, row.organisation)
        fields = tuple(str(f) for f in row.fields)
        items.append(
            Usage(
                at=row.at,
                action=row.action,
                action_label=action_label(row.action),
                outcome=row.outcome,
                actor_kind=row.actor_kind,
                organisation_code=row.organisation,
                organisation_name=organisation_name,
                system_name=system.name if system else "",
                officer=row.on_behalf_of if row.actor_kind == ActorKind.MACHINE else row.actor_id,
                purpose_code=row.purpose,
                purpose_title=purposes.get(row.purpose, ""),
                dossier=row.dossier,
                fields=fields,
                field_labels=tuple(FIELDS[f].label if f in FIELDS else f for f in fields),
                request_id=row.request_id,
            )
        )
    return UsagePage(total=total, items=items)


@dataclass(frozen=True, slots=True)
class Agreement:
    """What an organisation asks a citizen's consent for: a purpose and the fields it covers,
    with the citizen's current consent, if any."""

    member: Member
    purpose: Purpose
    fields: tuple[str, ...]
    consent: ConsentRecord | None

    @property
    def key(self) -> str:
        return f"{self.member.pk}-{self.purpose.pk}"

    @property
    def field_labels(self) -> tuple[str, ...]:
        return tuple(FIELDS[f].label for f in self.fields if f in FIELDS)


def agreements_for(personal_id: str) -> list[Agreement]:
    """Every organisation × purpose that needs consent (from active grants), and the ones the
    citizen has a record for even if the grant has since gone."""
    fields: dict[tuple[int, int], set[str]] = {}
    for grant in AccessGrant.objects.filter(requires_consent=True, revoked_at__isnull=True).select_related("system"):
        fields.setdefault((grant.system.member_id, grant.purpose_id), set()).update(grant.fields)
    consents = {
        (c.member_id, c.purpose_id): c
        for c in ConsentRecord.objects.filter(personal_id=personal_id).select_related("member", "purpose")
    }
    keys = set(fields) | set(consents)
    members = Member.objects.in_bulk({m for m, _ in keys})
    purposes = Purpose.objects.in_bulk({p for _, p in keys})
    agreements = [
        Agreement(
            member=members[m],
            purpose=purposes[p],
            fields=tuple(sorted(fields.get((m, p), set()))),
            consent=consents.get((m, p)),
        )
        for m, p in keys
    ]
    return sorted(agreements, key=lambda a: (a.member.name, a.purpose.code))


def onboarding_requests(status: str | None = None) -> list[OnboardingRequest]:
    """Onboarding requests, pending first then newest."""
    requests = OnboardingRequest.objects.all()
    if status:
        requests = requests.filter(status=status)
    order = {OnboardingStatus.PENDING: 0, OnboardingStatus.APPROVED: 1, OnboardingStatus.REFUSED: 1}
    return sorted(requests.order_by("-submitted_at"), key=lambda r: order.get(OnboardingStatus(r.status), 2))


def member_name(code: str) -> str | None:
    """The name of the member organisation with ``code`` (of any class), None when there is none:
    how identity checks the agency an officer is given (``core.organisations``)."""
    names = list(Member.objects.filter(code=code).order_by("member_class").values_list("name", flat=True)[:1])
    return names[0] if names else None
