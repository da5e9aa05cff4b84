"""``changes``: the pull feed of change events (cursor = last event id seen) and the
management of webhook subscriptions. Deliveries themselves are in :mod:`dancu.exchange.webhooks`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from dancu.core.audit import record_many
from dancu.exchange.actions import do_subscribe, do_unsubscribe
from dancu.exchange.calls import OK, Call, Served, audit_call, call_transaction, encode_json, sha256_hex
from dancu.exchange.catalogue import CHANGE_KINDS
from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.models import ChangeEvent, ConsentRecord, ConsentState, Subscription
from dancu.exchange.policy import GrantEntry, authorise
from dancu.exchange.webhooks import change_item

__all__ = ["feed", "list_subscriptions", "subscribe", "unsubscribe"]


def _visible_kinds(grant: GrantEntry) -> dict[str, list[str]]:
    """Event kinds the grant lets the system see, with the fields it may learn changed."""
    return {
        code: sorted(set(kind.fields) & grant.fields)
        for code, kind in CHANGE_KINDS.items()
        if set(kind.fields) & grant.fields
    }


def _consented(call: Call, personal_ids: list[str], now: dt.datetime) -> set[str]:
    purpose_id = call.policy.purposes[call.purpose].id
    return {
        c.personal_id
        for c in ConsentRecord.objects.filter(
            member_id=call.system.member_id,
            purpose_id=purpose_id,
            personal_id__in=personal_ids,
            state=ConsentState.GIVEN,
        ).only("personal_id", "valid_until")
        if c.valid_until is None or c.valid_until > now
    }


def feed(call: Call, *, after: int, limit: int) -> Served:
    """Events after the cursor ``after`` that the system's ``changes`` grant covers, oldest
    first; one audit entry per event returned (the citizen sees who was told)."""
    grant = authorise(call.policy, call.system, service=call.service, purpose=call.purpose)
    kinds = _visible_kinds(grant)
    now = timezone.now()
    try:
        with call_transaction():
            events = list(ChangeEvent.objects.filter(pk__gt=after, kind__in=list(kinds)).order_by("pk")[:limit])
            next_cursor = events[-1].pk if events else after
            if grant.requires_consent and events:
                allowed = _consented(call, sorted({e.personal_id for e in events}), now)
                events = [e for e in events if e.personal_id in allowed]
            items = [change_item(e, kinds[e.kind]) for e in events]
            body = encode_json({"events": items, "next_cursor": str(next_cursor)})
            details: dict[str, Any] = {"client": call.system.xroad_id, "version": "v1", "delivery": "feed"}
            if not events:
                audit_call(call, outcome=OK, body=body, details={"version": "v1", "delivery": "feed", "after": after})
            else:
                digest = sha256_hex(body)
                record_many(
                    {
                        "action": f"exchange.{call.service}",
                        "actor": call.actor,
                        "subject_personal_id": event.personal_id,
                        "purpose": call.purpose,
                        "dossier": call.dossier,
                        "fields": kinds[event.kind],
                        "details": {**details, "event": event.pk},
                        "response_hash": digest,
                        "request_id": call.request_id,
                    }
                    for event in events
                )
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body)


def _subscription_json(subscription: Subscription, secret: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": subscription.pk,
        "url": subscription.url,
        "kinds": list(subscription.kinds),
        "purpose": subscription.purpose.code,
        "active": subscription.active,
        "created_at": subscription.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    if secret is not None:
        body["secret"] = secret
    return body


def _audited(call: Call, payload: dict[str, Any], details: dict[str, Any], status: int = 200) -> Served:
    body = encode_json(payload)
    try:
        with call_transaction():
            audit_call(call, outcome=OK, body=body, details=details)
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body, status=status)


def subscribe(call: Call, *, url: str, kinds: list[str]) -> Served:
    """Create a webhook for ``kinds`` (each must be visible under the grant)."""
    grant = authorise(call.policy, call.system, service=call.service, purpose=call.purpose)
    visible = _visible_kinds(grant)
    hidden = sorted(set(kinds) - set(visible))
    if hidden:
        raise ExchangeError(
            ErrorCode.FIELD_NOT_GRANTED,
            f"Chính sách không cho phép nhận: {', '.join(hidden)} / the policy does not cover: {', '.join(hidden)}",
            extra={"fields": hidden},
        )
    subscription, secret = do_subscribe(
        call.system.id, purpose_code=call.purpose, url=url, kinds=kinds, actor=call.actor
    )
    subscription = Subscription.objects.select_related("purpose").get(pk=subscription.pk)
    return _audited(call, _subscription_json(subscription, secret), {"subscription": subscription.pk}, status=201)


def list_subscriptions(call: Call) -> Served:
    authorise(call.policy, call.system, service=call.service, purpose=call.purpose)
    subscriptions = (
        Subscription.objects.filter(system_id=call.system.id, active=True).select_related("purpose").order_by("pk")
    )
    return _audited(call, {"subscriptions": [_subscription_json(s) for s in subscriptions]}, {"step": "list"})


def unsubscribe(call: Call, subscription_id: int) -> Served:
    authorise(call.policy, call.system, service=call.service, purpose=call.purpose)
    subscription = Subscription.objects.filter(pk=subscription_id, system_id=call.system.id, active=True).first()
    if subscription is None:
        raise ExchangeError(ErrorCode.NOT_FOUND, "Không có đăng ký này / no such subscription")
    do_unsubscribe(subscription, actor=call.actor)
    body = b""
    try:
        with call_transaction():
            audit_call(call, outcome=OK, body=body, details={"subscription": subscription_id, "step": "removed"})
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body, status=204)
