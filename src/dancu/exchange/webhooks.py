"""Webhook deliveries of change events, signed after the Standard Webhooks specification
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256>`` over
``id.timestamp.body`` with the subscription's secret), retried with exponential back-off.

The audit entry of an attempt is written *before* the event leaves, in the transaction that
reads the event and checks the policy: if it cannot be written, nothing is sent. Before that, the
receiver's host is resolved again and must still resolve to public addresses (or be an allowed
on-premise peer); the request then goes to the address that was checked
(:mod:`dancu.exchange.webhook_targets`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import random
from typing import Any, Final

import httpx
from django.db import DatabaseError, transaction
from django.utils import timezone

from dancu.core.audit import Actor, record
from dancu.core.models import ActorKind, Outcome
from dancu.exchange.calls import encode_json, sha256_hex
from dancu.exchange.catalogue import CHANGE_KINDS
from dancu.exchange.consent import require_consent
from dancu.exchange.error_codes import ExchangeError
from dancu.exchange.models import ChangeEvent, DeliveryStatus, WebhookDelivery
from dancu.exchange.policy import authorise, current_policy
from dancu.exchange.webhook_secrets import WebhookSecretKeyError, decrypt_secret
from dancu.exchange.webhook_targets import Target, UnresolvedTargetError, UnsafeTargetError, check_target

__all__ = [
    "MAX_ATTEMPTS",
    "attempt_delivery",
    "backoff",
    "change_item",
    "sign",
    "verify_signature",
]

log = logging.getLogger(__name__)
MAX_ATTEMPTS: Final = 12
TIMEOUT_SECONDS: Final = 5.0
_FIRST_DELAY: Final = 30.0
_MAX_DELAY: Final = 6 * 3600.0
#: How long an attempt holds a delivery (longer than the HTTP timeout).
CLAIM: Final = dt.timedelta(seconds=60)


def change_item(event: ChangeEvent, fields: list[str]) -> dict[str, Any]:
    """The public form of a change event (the feed's items and the webhook's ``data``)."""
    return {
        "id": str(event.pk),
        "kind": event.kind,
        "personal_id": event.personal_id,
        "occurred_on": event.occurred_on.isoformat() if event.occurred_on else None,
        "fields": fields,
        "recorded_at": event.recorded_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }


def _secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_signature(
    secret: str, headers: dict[str, str], body: bytes, *, now: int | None = None, tolerance: int = 300
) -> bool:
    """What a receiver checks: a matching ``v1`` signature and a timestamp within ``tolerance``
    seconds (against replay)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        signatures = lowered["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    current = now if now is not None else int(timezone.now().timestamp())
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


def backoff(attempts: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """Delay before the next attempt: 30 s, 1 min, 2 min … doubling up to 6 h, ±20 % jitter so
    that a receiver coming back is not hit by every retry at once."""
    base = min(_FIRST_DELAY * 2 ** max(0, attempts - 1), _MAX_DELAY)
    jitter = (rng or random).uniform(0.8, 1.2)
    return dt.timedelta(seconds=base * jitter)


def _give_up(delivery: WebhookDelivery, reason: str) -> bool:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, last_error=reason[:500])
    return False


def attempt_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> bool:
    """Try to deliver one pending webhook; True when the receiver accepted it (2xx).

    The policy is checked at sending time: a revoked grant or a withdrawn consent stops
    deliveries not yet made. An attempt first claims the delivery for :data:`CLAIM` (moving its
    due time), so the scheduled retry and the sweep never send it twice at once, and a worker
    that dies mid-attempt leaves it to be retried once the claim lapses.
    """
    at = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=at
    ).update(next_attempt_at=at + CLAIM)
    if not claimed:
        return WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.DELIVERED).exists()
    delivery = (
        WebhookDelivery.objects.select_related("subscription__system__member", "subscription__purpose", "event")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery is not None and delivery.status == DeliveryStatus.DELIVERED
    subscription = delivery.subscription
    event = delivery.event
    if not subscription.active:
        return _give_up(delivery, "unsubscribed")
    policy = current_policy()
    system = policy.systems_by_client.get(subscription.system.client_id)
    if system is None or not system.active:
        return _give_up(delivery, "client_suspended")
    try:
        grant = authorise(policy, system, service="changes", purpose=subscription.purpose.code, now=at)
    except ExchangeError as exc:
        return _give_up(delivery, exc.code.value)
    fields = sorted(set(CHANGE_KINDS[event.kind].fields) & grant.fields)
    if not fields:
        return _give_up(delivery, "field_not_granted")
    try:
        secret = decrypt_secret(subscription.secret_encrypted, subscription_id=subscription.pk)
    except WebhookSecretKeyError as exc:
        # A configuration fault, not the receiver's: the delivery stays pending (it goes out once
        # the right key is configured) and the fault is raised to the operator, never swallowed.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(last_error=str(exc)[:500])
        log.error("webhook %s not sent: %s", delivery.pk, exc)
        raise
    attempt = delivery.attempts + 1
    try:
        target = check_target(subscription.url)
    except UnresolvedTargetError as exc:
        # Perhaps a passing DNS failure: try again later, like an unreachable receiver.
        return _failed_attempt(delivery, attempt, None, str(exc), at)
    except UnsafeTargetError as exc:
        return _give_up(delivery, f"webhook_target_not_public: {exc}")
    message_id = f"msg_{event.pk}_{subscription.pk}"
    timestamp = int(at.timestamp())
    body = encode_json(
        {
            "type": f"registry.{event.kind}",
            "timestamp": at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "data": change_item(event, fields),
        }
    )
    try:
        with transaction.atomic():
            if grant.requires_consent:
                require_consent(
                    member_id=system.member_id,
                    purpose_id=policy.purposes[subscription.purpose.code].id,
                    personal_id=event.personal_id,
                    fields=fields,
                    now=at,
                )
            record(
                action="exchange.changes",
                actor=Actor(kind=ActorKind.MACHINE, id=system.client_id, organisation=system.member_code),
                outcome=Outcome.OK,
                subject_personal_id=event.personal_id,
                purpose=subscription.purpose.code,
                fields=fields,
                details={
                    "client": system.xroad_id,
                    "delivery": "webhook",
                    "event": event.pk,
                    "subscription": subscription.pk,
                    "attempt": attempt,
                },
                response_hash=sha256_hex(body),
                request_id=message_id,
            )
    except ExchangeError as exc:
        return _give_up(delivery, exc.code.value)
    except DatabaseError:
        log.exception("webhook %s not sent: the audit entry could not be written", delivery.pk)
        return False
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
        "user-agent": "Dancu-Exchange/1",
    }
    status: int | None = None
    error = ""
    try:
        response = _post(target, body, headers)
        status = response.status_code
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    delivered = status is not None and 200 <= status < 300
    if delivered:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DELIVERED,
            attempts=attempt,
            last_status_code=status,
            delivered_at=timezone.now(),
            last_error="",
        )
        return True
    return _failed_attempt(delivery, attempt, status, error or f"HTTP {status}", at)


def _post(target: Target, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """Send to the checked address; the host name stays in ``Host`` and in TLS (SNI and the
    certificate check), so the receiver sees an ordinary request to its name."""
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        return client.post(
            target.url,
            content=body,
            headers={**headers, "host": target.host_header},
            extensions={"sni_hostname": target.host},
        )


def _failed_attempt(delivery: WebhookDelivery, attempt: int, status: int | None, error: str, at: dt.datetime) -> bool:
    failed = attempt >= MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
        attempts=attempt,
        last_status_code=status,
        last_error=error[:500],
        next_attempt_at=at + backoff(attempt),
    )
    return False
