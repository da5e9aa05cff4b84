"""Domain events: how a lower app tells higher apps that something happened without importing
them (DESIGN.md §2).

``publish`` writes the event to the outbox in the caller's transaction; after commit it is
handed to every subscriber, each in its own transaction. A subscriber that fails leaves the event
pending, and ``deliver_pending`` (run by ``dancu worker``) retries it, so delivery is at least
once: subscribers must be idempotent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dancu.core.models import OutboxEvent

__all__ = ["Handler", "deliver", "deliver_pending", "publish", "subscribe"]

log = logging.getLogger(__name__)
Handler = Callable[[OutboxEvent], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(kind: str) -> Callable[[Handler], Handler]:
    """Register a handler for events of ``kind`` (call from an app's ``ready``)."""

    def register(handler: Handler) -> Handler:
        if handler not in _subscribers[kind]:
            _subscribers[kind].append(handler)
        return handler

    return register


def publish(kind: str, payload: dict[str, Any]) -> OutboxEvent:
    """Write an event in the current transaction; deliver it once that transaction commits."""
    event = OutboxEvent.objects.create(kind=kind, payload=payload)
    transaction.on_commit(lambda: deliver(event.pk))
    return event


def deliver(event_id: int) -> bool:
    """Hand one pending event to its subscribers; True when all of them succeeded."""
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id, delivered_at__isnull=True).first()
        if event is None:
            return True
        try:
            for handler in _subscribers.get(event.kind, []):
                with transaction.atomic():
                    handler(event)
        except Exception as exc:
            log.exception("event %s (%s) failed", event.pk, event.kind)
            OutboxEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
            return False
        OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=timezone.now(), attempts=F("attempts") + 1)
        return True


def deliver_pending(limit: int = 500) -> int:
    """Retry events still pending (after a crash or a failed subscriber); return how many
    were delivered."""
    ids = list(
        OutboxEvent.objects.filter(delivered_at__isnull=True).order_by("id").values_list("id", flat=True)[:limit]
    )
    return sum(1 for event_id in ids if deliver(event_id))
