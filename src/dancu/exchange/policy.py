"""The access policy as every call sees it: an in-process snapshot of systems, purposes and
grants, checked against the database's policy stamp on every call.

A call costs one primary-key read (the stamp) instead of three joins; when an administrator
changes anything, :func:`bump_policy` writes a new stamp in the same transaction, and the next
call in every process reloads. The same read also says whether the caller's access token is still
unrevoked, so a token revoked at the provider stops at the next call too. Deny by default: no
snapshot entry, no access.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.utils import timezone

from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.models import AccessGrant, MemberSystem, PolicyState, Purpose, SystemStatus
from dancu.identity.models import Client, ClientKind, Token

__all__ = [
    "GrantEntry",
    "PolicySnapshot",
    "PurposeEntry",
    "SystemEntry",
    "authorise",
    "bump_policy",
    "current_policy",
    "policy_and_token",
]


@dataclass(frozen=True, slots=True)
class SystemEntry:
    id: int
    client_id: str
    xroad_id: str
    name: str
    member_id: int
    member_code: str
    member_name: str
    active: bool
    rate_per_minute: int
    quota_per_day: int


@dataclass(frozen=True, slots=True)
class PurposeEntry:
    id: int
    code: str
    title: str
    lawful_basis: str


@dataclass(frozen=True, slots=True)
class GrantEntry:
    id: int
    service: str
    purpose: str
    fields: frozenset[str]
    requires_consent: bool
    valid_from: dt.datetime
    valid_until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PolicySnapshot:
    stamp: str
    systems_by_client: dict[str, SystemEntry]
    purposes: dict[str, PurposeEntry]
    grants: dict[tuple[int, str, str], GrantEntry]

    def grants_of(self, system_id: int) -> list[GrantEntry]:
        return [g for (sid, _, _), g in self.grants.items() if sid == system_id]


_lock = threading.Lock()
_snapshot: PolicySnapshot | None = None


@lru_cache(maxsize=2)
def _state_sql(with_token: bool) -> str:
    quote = connection.ops.quote_name
    stamp = f"SELECT stamp FROM {quote(PolicyState._meta.db_table)} WHERE id = 1"  # noqa: S608 — names from the models
    if not with_token:
        return stamp
    token = Token._meta
    revoked = quote(token.get_field("revoked_at").column)
    jti = quote(token.get_field("jti").column)
    # One row whether or not the stamp exists; NULL for a token that is not (or no longer) there.
    live = f"(SELECT CASE WHEN {revoked} IS NULL THEN 1 ELSE 0 END FROM {quote(token.db_table)} WHERE {jti} = %s)"  # noqa: S608
    return f"SELECT ({stamp}), {live}"


def _read_state(token_id: str | None) -> tuple[str, bool]:
    """The policy stamp, and whether the token ``token_id`` is unrevoked (True when none is
    asked about), in one round trip."""
    with connection.cursor() as cursor:
        if token_id is None:
            cursor.execute(_state_sql(False))
            row = cursor.fetchone()
            return (str(row[0]) if row and row[0] is not None else ""), True
        cursor.execute(_state_sql(True), [token_id])
        row = cursor.fetchone()
    if row is None:
        return "", False
    return (str(row[0]) if row[0] is not None else ""), row[1] == 1


def _load(stamp: str) -> PolicySnapshot:
    disabled = set(Client.objects.filter(kind=ClientKind.EXCHANGE, is_active=False).values_list("client_id", flat=True))
    systems = {
        s.client_id: SystemEntry(
            id=s.pk,
            client_id=s.client_id,
            xroad_id=s.xroad_id,
            name=s.name,
            member_id=s.member_id,
            member_code=s.member.code,
            member_name=s.member.name,
            # A client disabled in identity stops at once, tokens remembered or not.
            active=s.status == SystemStatus.ACTIVE and s.client_id not in disabled,
            rate_per_minute=s.rate_per_minute,
            quota_per_day=s.quota_per_day,
        )
        for s in MemberSystem.objects.select_related("member")
    }
    purposes = {
        p.code: PurposeEntry(id=p.pk, code=p.code, title=p.title, lawful_basis=p.lawful_basis)
        for p in Purpose.objects.filter(active=True)
    }
    grants = {
        (g.system_id, g.service, g.purpose.code): GrantEntry(
            id=g.pk,
            service=g.service,
            purpose=g.purpose.code,
            fields=frozenset(g.fields),
            requires_consent=g.requires_consent,
            valid_from=g.valid_from,
            valid_until=g.valid_until,
        )
        for g in AccessGrant.objects.filter(revoked_at__isnull=True, purpose__active=True).select_related("purpose")
    }
    return PolicySnapshot(stamp=stamp, systems_by_client=systems, purposes=purposes, grants=grants)


def current_policy() -> PolicySnapshot:
    """The policy as committed now: the cached snapshot when the stamp has not moved."""
    return policy_and_token(None)[0]


def policy_and_token(token_id: str | None) -> tuple[PolicySnapshot, bool]:
    """The current policy and whether the access token ``token_id`` (the caller's) is still
    unrevoked, read in one round trip on every call."""
    global _snapshot
    stamp, token_live = _read_state(token_id)
    snapshot = _snapshot
    if snapshot is not None and snapshot.stamp == stamp:
        return snapshot, token_live
    with _lock:
        if _snapshot is None or _snapshot.stamp != stamp:
            # Read the stamp before the tables: contents at least as new as the stamp they carry.
            _snapshot = _load(stamp)
        return _snapshot, token_live


def bump_policy() -> None:
    """Mark the policy changed (call inside the changing transaction)."""
    stamp = secrets.token_hex(16)
    updated = PolicyState.objects.filter(pk=1).update(stamp=stamp, changed_at=timezone.now())
    if not updated:
        PolicyState.objects.create(pk=1, stamp=stamp)


def authorise(
    policy: PolicySnapshot,
    system: SystemEntry,
    *,
    service: str,
    purpose: str,
    fields: Iterable[str] = (),
    now: dt.datetime | None = None,
    subject_personal_id: str = "",
) -> GrantEntry:
    """The grant that allows ``system`` to call ``service`` for ``purpose`` and see ``fields``;
    raise :class:`ExchangeError` when there is none."""
    if purpose not in policy.purposes:
        raise ExchangeError(
            ErrorCode.UNKNOWN_PURPOSE,
            f"Mục đích {purpose!r} không có trong danh mục / purpose {purpose!r} is not in the catalogue",
            subject_personal_id=subject_personal_id,
        )
    grant = policy.grants.get((system.id, service, purpose))
    at = now or timezone.now()
    if grant is None or at < grant.valid_from:
        raise ExchangeError(
            ErrorCode.ACCESS_DENIED,
            f"Hệ thống chưa được cấp quyền dịch vụ {service} cho mục đích {purpose} / "
            f"no grant for service {service} and purpose {purpose}",
            subject_personal_id=subject_personal_id,
        )
    if grant.valid_until is not None and at >= grant.valid_until:
        until = timezone.localtime(grant.valid_until).strftime("%d/%m/%Y %H:%M")
        raise ExchangeError(
            ErrorCode.ACCESS_DENIED,
            f"Quyền truy cập đã hết hạn lúc {until} / the grant expired at {until}",
            subject_personal_id=subject_personal_id,
        )
    missing = sorted(set(fields) - grant.fields)
    if missing:
        names = ", ".join(missing)
        raise ExchangeError(
            ErrorCode.FIELD_NOT_GRANTED,
            f"Chưa được cấp quyền các trường: {names} / fields not granted: {names}",
            subject_personal_id=subject_personal_id,
            extra={"fields": missing},
        )
    return grant
