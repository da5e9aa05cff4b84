"""Every write of the gateway: onboarding, grants, consent, subscriptions, change events.

``do_*`` changes state and writes its audit entry in one transaction; ``check_*`` validates
input first. Anything that changes who may see what also calls :func:`bump_policy`, so the next
call in every process sees the change.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dancu.core.audit import Actor, record
from dancu.core.models import OutboxEvent
from dancu.exchange.catalogue import CHANGE_KINDS, FIELDS, SERVICES
from dancu.exchange.consent import GENESIS, hash_snapshot, snapshot_of
from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.models import (
    AccessGrant,
    ChangeEvent,
    ConsentEvent,
    ConsentEventType,
    ConsentRecord,
    ConsentState,
    DeliveryStatus,
    Member,
    MemberSystem,
    OnboardingRequest,
    OnboardingStatus,
    Purpose,
    Subscription,
    SystemStatus,
    WebhookDelivery,
)
from dancu.exchange.policy import bump_policy
from dancu.exchange.webhook_secrets import encrypt_secret
from dancu.exchange.webhook_targets import UnsafeTargetError, check_target
from dancu.identity.actions.clients import do_register_client, validate_jwks
from dancu.identity.errors import IdentityError

__all__ = [
    "AccessRequest",
    "check_grant_consent",
    "check_submit_onboarding",
    "do_approve_onboarding",
    "do_grant_access",
    "do_record_change",
    "do_refuse_onboarding",
    "do_register_system",
    "do_revoke_access",
    "do_set_limits",
    "do_set_system_status",
    "do_subscribe",
    "do_unsubscribe",
    "do_withdraw_consent",
    "validate_access",
]

AccessRequest = dict[str, Any]
#: Services whose grants name fields verify can answer about.
_VERIFYING = frozenset({"verify", "batch-verify", "card-qr"})
_CHANGES_LOCK = 0x0DA4C1


def _invalid(vi: str, en: str) -> ExchangeError:
    return ExchangeError(ErrorCode.INVALID_REQUEST, f"{vi} / {en}")


def validate_access(service: str, purpose_code: str, fields: Sequence[str]) -> tuple[Purpose, list[str]]:
    """Check one requested grant: a known service, an active purpose, known fields (and, for
    verifying services, fields they can verify)."""
    if service not in SERVICES:
        raise _invalid(f"Không có dịch vụ {service!r}", f"unknown service {service!r}")
    purpose = Purpose.objects.filter(code=purpose_code, active=True).first()
    if purpose is None:
        raise ExchangeError(
            ErrorCode.UNKNOWN_PURPOSE,
            f"Mục đích {purpose_code!r} không có trong danh mục / purpose {purpose_code!r} is not in the catalogue",
        )
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise _invalid(f"Trường không tồn tại: {', '.join(unknown)}", f"unknown fields: {', '.join(unknown)}")
    if service in _VERIFYING:
        allowed = {f for f, spec in FIELDS.items() if spec.verifiable} | ({"card"} if service == "card-qr" else set())
        extra = sorted(set(fields) - allowed)
        if extra:
            raise _invalid(
                f"Dịch vụ {service} không xác thực được: {', '.join(extra)}",
                f"service {service} cannot verify: {', '.join(extra)}",
            )
    return purpose, sorted(set(fields))


# --- onboarding ------------------------------------------------------------------------------


def check_submit_onboarding(
    *,
    member_class: str,
    member_code: str,
    member_name: str,
    sector: str,
    system_code: str,
    system_name: str,
    jwks: dict[str, Any],
    contact_email: str,
    requested_access: Sequence[AccessRequest],
    justification: str,
    actor: Actor,
) -> OnboardingRequest:
    """Validate and file a request to connect a system; it waits for an administrator."""
    for value, label in ((member_code, "mã thành viên / member code"), (system_code, "mã hệ thống / system code")):
        if not value or not all(c.isalnum() or c in "-_." for c in value):
            raise _invalid(f"{label.split(' / ')[0]} không hợp lệ", f"invalid {label.split(' / ')[1]}")
    if not member_name.strip() or not system_name.strip():
        raise _invalid("Cần tên tổ chức và tên hệ thống", "organisation and system names are required")
    try:
        public_jwks = validate_jwks(jwks)
    except IdentityError as exc:  # its message is already bilingual
        raise ExchangeError(ErrorCode.INVALID_REQUEST, str(exc)) from exc
    if not requested_access:
        raise _invalid("Cần ít nhất một quyền truy cập", "request at least one access")
    access = []
    for item in requested_access:
        purpose, fields = validate_access(
            str(item.get("service", "")), str(item.get("purpose", "")), item.get("fields", [])
        )
        access.append(
            {
                "service": item["service"],
                "purpose": purpose.code,
                "fields": fields,
                "requires_consent": bool(item.get("requires_consent", False)),
            }
        )
    with transaction.atomic():
        request = OnboardingRequest.objects.create(
            member_class=member_class,
            member_code=member_code,
            member_name=member_name.strip(),
            sector=sector,
            system_code=system_code,
            system_name=system_name.strip(),
            jwks=public_jwks,
            contact_email=contact_email,
            requested_access=access,
            justification=justification,
            submitted_by=actor.id,
        )
        record(
            action="exchange.onboarding_submitted",
            actor=actor,
            object_type="onboarding_request",
            object_id=request.pk,
            details={"member": f"{member_class}/{member_code}", "system": system_code, "access": access},
        )
    return request


def do_register_system(
    *,
    member_class: str,
    member_code: str,
    member_name: str,
    sector: str,
    system_code: str,
    system_name: str,
    client_id: str,
    actor: Actor,
) -> MemberSystem:
    """Create the member (if new) and its system bound to an OAuth client id."""
    with transaction.atomic():
        member, _ = Member.objects.get_or_create(
            member_class=member_class, code=member_code, defaults={"name": member_name, "sector": sector}
        )
        if MemberSystem.objects.filter(member=member, code=system_code).exists():
            raise ExchangeError(
                ErrorCode.CONFLICT,
                f"Hệ thống {system_code} đã được đăng ký / system {system_code} is already registered",
            )
        system = MemberSystem.objects.create(member=member, code=system_code, name=system_name, client_id=client_id)
        bump_policy()
        record(
            action="exchange.system_registered",
            actor=actor,
            object_type="member_system",
            object_id=system.pk,
            details={"client": system.xroad_id, "client_id": client_id},
        )
    return system


def do_approve_onboarding(request_id: int, *, actor: Actor, note: str = "") -> MemberSystem:
    """Approve a pending request: register the OAuth client with the submitted keys, create
    the member and system, and grant the requested access."""
    with transaction.atomic():
        request = OnboardingRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise ExchangeError(ErrorCode.NOT_FOUND)
        if request.status != OnboardingStatus.PENDING:
            raise ExchangeError(ErrorCode.CONFLICT, "Yêu cầu đã được xử lý / the request has already been decided")
        registered = do_register_client(
            f"{request.member_name} · {request.system_name}",
            "exchange",
            jwks=request.jwks,
            organisation=f"{request.member_class}/{request.member_code}",
            actor=actor,
        )
        system = do_register_system(
            member_class=request.member_class,
            member_code=request.member_code,
            member_name=request.member_name,
            sector=request.sector,
            system_code=request.system_code,
            system_name=request.system_name,
            client_id=registered.client.client_id,
            actor=actor,
        )
        for item in request.requested_access:
            do_grant_access(
                system,
                service=item["service"],
                purpose_code=item["purpose"],
                fields=item["fields"],
                requires_consent=bool(item.get("requires_consent")),
                actor=actor,
            )
        request.status = OnboardingStatus.APPROVED
        request.decided_by = actor.id
        request.decided_at = timezone.now()
        request.decision_reason = note
        request.system = system
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "system"])
        record(
            action="exchange.onboarding_approved",
            actor=actor,
            object_type="onboarding_request",
            object_id=request.pk,
            details={"client": system.xroad_id, "client_id": system.client_id, "note": note},
        )
    return system


def do_refuse_onboarding(request_id: int, *, actor: Actor, reason: str) -> OnboardingRequest:
    """Refuse a pending request with a written reason (required)."""
    reason = reason.strip()
    if len(reason) < 10:
        raise _invalid(
            "Cần nêu rõ lý do từ chối (ít nhất 10 ký tự)", "a written reason of at least 10 characters is required"
        )
    with transaction.atomic():
        request = OnboardingRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise ExchangeError(ErrorCode.NOT_FOUND)
        if request.status != OnboardingStatus.PENDING:
            raise ExchangeError(ErrorCode.CONFLICT, "Yêu cầu đã được xử lý / the request has already been decided")
        request.status = OnboardingStatus.REFUSED
        request.decided_by = actor.id
        request.decided_at = timezone.now()
        request.decision_reason = reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record(
            action="exchange.onboarding_refused",
            actor=actor,
            object_type="onboarding_request",
            object_id=request.pk,
            details={"reason": reason},
        )
    return request


# --- access policy ---------------------------------------------------------------------------


def do_grant_access(
    system: MemberSystem,
    *,
    service: str,
    purpose_code: str,
    fields: Sequence[str],
    requires_consent: bool = False,
    valid_until: dt.datetime | None = None,
    actor: Actor,
) -> AccessGrant:
    """Grant ``system`` the use of ``service`` for ``purpose_code`` over ``fields``; an active
    grant for the same service and purpose is replaced (revoked, then granted anew)."""
    purpose, clean_fields = validate_access(service, purpose_code, fields)
    now = timezone.now()
    if valid_until is not None and valid_until <= now:
        raise _invalid("Ngày hết hạn phải ở tương lai", "the expiry must be in the future")
    with transaction.atomic():
        AccessGrant.objects.filter(system=system, service=service, purpose=purpose, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor.id, revoke_reason="replaced"
        )
        grant = AccessGrant.objects.create(
            system=system,
            service=service,
            purpose=purpose,
            fields=clean_fields,
            requires_consent=requires_consent,
            valid_until=valid_until,
            granted_by=actor.id,
            granted_at=now,
        )
        bump_policy()
        record(
            action="exchange.access_granted",
            actor=actor,
            object_type="access_grant",
            object_id=grant.pk,
            purpose=purpose.code,
            fields=clean_fields,
            details={
                "client": system.xroad_id,
                "service": service,
                "requires_consent": requires_consent,
                "valid_until": valid_until.isoformat() if valid_until else None,
            },
        )
    return grant


def do_revoke_access(grant_id: int, *, actor: Actor, reason: str) -> AccessGrant:
    """Revoke a grant; the next call of that system under it is refused."""
    with transaction.atomic():
        grant = AccessGrant.objects.select_for_update().select_related("system__member", "purpose").get(pk=grant_id)
        if grant.revoked_at is not None:
            return grant
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor.id
        grant.revoke_reason = reason[:300]
        grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        bump_policy()
        record(
            action="exchange.access_revoked",
            actor=actor,
            object_type="access_grant",
            object_id=grant.pk,
            purpose=grant.purpose.code,
            details={"client": grant.system.xroad_id, "service": grant.service, "reason": reason[:300]},
        )
    return grant


def do_set_limits(system: MemberSystem, *, rate_per_minute: int, quota_per_day: int, actor: Actor) -> None:
    """Change a system's rate limit and daily quota (both at least 1)."""
    if rate_per_minute < 1 or quota_per_day < 1:
        raise _invalid("Giới hạn phải lớn hơn 0", "limits must be positive")
    with transaction.atomic():
        MemberSystem.objects.filter(pk=system.pk).update(rate_per_minute=rate_per_minute, quota_per_day=quota_per_day)
        system.rate_per_minute = rate_per_minute
        system.quota_per_day = quota_per_day
        bump_policy()
        record(
            action="exchange.limits_changed",
            actor=actor,
            object_type="member_system",
            object_id=system.pk,
            details={"client": system.xroad_id, "rate_per_minute": rate_per_minute, "quota_per_day": quota_per_day},
        )


def do_set_system_status(system: MemberSystem, status: str, *, actor: Actor, reason: str = "") -> None:
    """Suspend or reactivate a system (its calls are refused with ``client_suspended``)."""
    if status not in SystemStatus.values:
        raise _invalid("Trạng thái không hợp lệ", "invalid status")
    with transaction.atomic():
        MemberSystem.objects.filter(pk=system.pk).update(status=status)
        system.status = status
        bump_policy()
        record(
            action="exchange.system_status_changed",
            actor=actor,
            object_type="member_system",
            object_id=system.pk,
            details={"client": system.xroad_id, "status": status, "reason": reason},
        )


# --- consent ---------------------------------------------------------------------------------


def consentable_fields(member: Member, purpose: Purpose) -> list[str]:
    """The fields any active consent-requiring grant of ``member``'s systems covers for
    ``purpose``: what a citizen can be asked to consent to."""
    fields: set[str] = set()
    for grant_fields in AccessGrant.objects.filter(
        system__member=member, purpose=purpose, requires_consent=True, revoked_at__isnull=True
    ).values_list("fields", flat=True):
        fields.update(grant_fields)
    return sorted(fields)


def _append_consent_event(consent: ConsentRecord, event_type: str, actor: Actor, method: str) -> ConsentEvent:
    previous = consent.events.order_by("-version").values_list("hash", flat=True).first() or GENESIS
    snapshot = snapshot_of(consent)
    return ConsentEvent.objects.create(
        record=consent,
        version=consent.version,
        event_type=event_type,
        at=consent.updated_at,
        expressed_by=actor.id,
        method=method,
        snapshot=snapshot,
        hash=hash_snapshot(snapshot, previous),
        prev_hash=previous,
    )


def check_grant_consent(
    *,
    personal_id: str,
    member: Member,
    purpose: Purpose,
    fields: Sequence[str],
    valid_until: dt.datetime | None,
    actor: Actor,
    method: str = "portal",
    notice_url: str = "",
    language: str = "vi",
) -> ConsentRecord:
    """Record the citizen's consent to ``member`` using ``fields`` for ``purpose``.

    Only what some consent-requiring grant covers can be consented to; a second consent to the
    same organisation and purpose replaces the first (a new version, the history kept).
    """
    allowed = consentable_fields(member, purpose)
    chosen = sorted(set(fields))
    if not allowed:
        raise _invalid(
            "Tổ chức này không xin sự đồng ý cho mục đích này", "this organisation asks no consent for this purpose"
        )
    if not chosen or not set(chosen) <= set(allowed):
        raise _invalid("Chọn các trường dữ liệu được đề nghị", "choose among the requested fields")
    now = timezone.now()
    if valid_until is not None and valid_until <= now:
        raise _invalid("Thời hạn đồng ý phải ở tương lai", "the consent's end must be in the future")
    with transaction.atomic():
        consent = (
            ConsentRecord.objects.select_for_update()
            .select_related("member", "purpose")
            .filter(personal_id=personal_id, member=member, purpose=purpose)
            .first()
        )
        if consent is None:
            consent = ConsentRecord(personal_id=personal_id, member=member, purpose=purpose)
            event_type = ConsentEventType.GIVEN
        else:
            event_type = ConsentEventType.MODIFIED if consent.state == ConsentState.GIVEN else ConsentEventType.GIVEN
        consent.fields = chosen
        consent.state = ConsentState.GIVEN
        consent.given_at = now
        consent.withdrawn_at = None
        consent.valid_until = valid_until
        consent.method = method
        consent.expressed_by = actor.id
        consent.notice_url = notice_url
        consent.notice_language = language
        consent.version += 1
        consent.updated_at = now
        consent.save()
        _append_consent_event(consent, event_type, actor, method)
        record(
            action="exchange.consent_given",
            actor=actor,
            subject_personal_id=personal_id,
            object_type="consent",
            object_id=str(consent.record_id),
            purpose=purpose.code,
            fields=chosen,
            details={
                "member": f"{member.member_class}/{member.code}",
                "version": consent.version,
                "valid_until": valid_until.isoformat() if valid_until else None,
                "method": method,
            },
        )
    return consent


def do_withdraw_consent(consent: ConsentRecord, *, actor: Actor, method: str = "portal") -> ConsentRecord:
    """Withdraw a consent; calls that need it are refused from the next one on."""
    with transaction.atomic():
        locked = ConsentRecord.objects.select_for_update().select_related("member", "purpose").get(pk=consent.pk)
        if locked.state == ConsentState.WITHDRAWN:
            return locked
        now = timezone.now()
        locked.state = ConsentState.WITHDRAWN
        locked.withdrawn_at = now
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=["state", "withdrawn_at", "version", "updated_at"])
        _append_consent_event(locked, ConsentEventType.WITHDRAWN, actor, method)
        record(
            action="exchange.consent_withdrawn",
            actor=actor,
            subject_personal_id=locked.personal_id,
            object_type="consent",
            object_id=str(locked.record_id),
            purpose=locked.purpose.code,
            details={"member": f"{locked.member.member_class}/{locked.member.code}", "version": locked.version},
        )
    return locked


# --- change notifications --------------------------------------------------------------------


def validate_webhook_url(url: str) -> str:
    """HTTPS, or plain HTTP to a loopback address outside production (tests, local receivers);
    and a host that resolves to public addresses only, unless the administrator allowed it as an
    on-premise peer (:mod:`dancu.exchange.webhook_targets`)."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        raise _invalid("Địa chỉ webhook không hợp lệ", "invalid webhook URL") from None
    loopback = hostname in {"127.0.0.1", "localhost", "::1"}
    secure = parts.scheme == "https" and bool(hostname)
    if not secure and not (parts.scheme == "http" and loopback and settings.DANCU_ENV != "production"):
        raise _invalid("Địa chỉ webhook phải dùng HTTPS", "the webhook URL must use HTTPS")
    try:
        # The gateway must not be turned into a client of our own internal network.
        check_target(url)
    except UnsafeTargetError as exc:
        raise ExchangeError(ErrorCode.INVALID_REQUEST, str(exc)) from None
    return url


def do_subscribe(
    system_id: int, *, purpose_code: str, url: str, kinds: Sequence[str], actor: Actor
) -> tuple[Subscription, str]:
    """Create a webhook subscription; return it with its signing secret (shown once)."""
    unknown = sorted(set(kinds) - set(CHANGE_KINDS))
    if unknown or not kinds:
        raise _invalid("Loại sự kiện không hợp lệ", "invalid event kinds")
    clean_url = validate_webhook_url(url)
    purpose = Purpose.objects.get(code=purpose_code)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    with transaction.atomic():
        subscription = Subscription.objects.create(
            system_id=system_id,
            purpose=purpose,
            url=clean_url,
            kinds=sorted(set(kinds)),
            secret_encrypted=encrypt_secret(secret),
            created_by=actor.on_behalf_of or actor.id,
        )
        record(
            action="exchange.subscription_created",
            actor=actor,
            object_type="subscription",
            object_id=subscription.pk,
            purpose=purpose.code,
            details={"url": clean_url, "kinds": subscription.kinds},
        )
    return subscription, secret


def do_unsubscribe(subscription: Subscription, *, actor: Actor) -> None:
    """Stop a subscription; pending deliveries are dropped."""
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(active=False)
        WebhookDelivery.objects.filter(subscription=subscription, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, last_error="unsubscribed"
        )
        record(
            action="exchange.subscription_removed",
            actor=actor,
            object_type="subscription",
            object_id=subscription.pk,
        )


_KIND_BY_DOMAIN_EVENT = {k.domain_event: k for k in CHANGE_KINDS.values()}


def _occurred_on(payload: dict[str, Any]) -> dt.date | None:
    for key in ("occurred_on", "deceased_on", "birth_date", "valid_from", "issued_on", "date"):
        value = payload.get(key)
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def do_record_change(event: OutboxEvent) -> ChangeEvent | None:
    """Turn a register domain event into a change event and queue its webhook deliveries.

    Idempotent (domain events arrive at least once). Change events get their ids in commit
    order: on PostgreSQL a transaction-scoped advisory lock is held from the insert to the
    commit; SQLite has a single writer anyway.
    """
    kind = _KIND_BY_DOMAIN_EVENT.get(event.kind)
    personal_id = str(event.payload.get("personal_id", ""))
    if kind is None or not personal_id:
        return None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHANGES_LOCK])
        change, created = ChangeEvent.objects.get_or_create(
            source_event_id=event.pk,
            defaults={
                "kind": kind.code,
                "personal_id": personal_id,
                "occurred_on": _occurred_on(event.payload),
                "fields": list(kind.fields),
            },
        )
        if not created:
            return change
        subscriptions = [s for s in Subscription.objects.filter(active=True) if kind.code in s.kinds]
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(subscription=s, event=change) for s in subscriptions], ignore_conflicts=True
        )
        if subscriptions:
            from dancu.exchange.tasks import enqueue_deliveries

            ids = list(WebhookDelivery.objects.filter(event=change).values_list("pk", flat=True))
            transaction.on_commit(lambda: enqueue_deliveries(ids))
    return change
