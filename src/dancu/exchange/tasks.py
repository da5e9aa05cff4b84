"""Background work of the gateway (django-tasks: run by ``dancu worker``, at once in tests):
webhook deliveries with retries, and batch verification jobs."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.utils import timezone
from django_tasks import task

from dancu.exchange.models import DeliveryStatus, WebhookDelivery
from dancu.exchange.webhooks import attempt_delivery

__all__ = ["deliver_due", "deliver_webhook", "enqueue_deliveries", "run_batch_job"]

log = logging.getLogger(__name__)


@task()
def deliver_webhook(delivery_id: int) -> bool:
    """Attempt one delivery; on failure, schedule the next attempt at its back-off time."""
    delivered = attempt_delivery(delivery_id)
    if not delivered:
        _schedule_retry(delivery_id)
    return delivered


def _schedule_retry(delivery_id: int) -> None:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).first()
    if delivery is None:
        return
    backend = deliver_webhook.get_backend()
    if backend.supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)
    # Backends that cannot defer (the immediate one, in tests) leave it to ``deliver_due``.


def enqueue_deliveries(delivery_ids: Sequence[int]) -> None:
    """Queue the first attempt of each delivery (called once the change is committed)."""
    for delivery_id in delivery_ids:
        try:
            deliver_webhook.enqueue(delivery_id)
        except Exception:  # a full queue must not undo the committed change; the sweep retries
            log.exception("could not queue webhook delivery %s", delivery_id)


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Attempt every pending delivery whose time has come; return how many were delivered.

    A safety net beside the scheduled retries (``dancu exchange deliver``).
    """
    at = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=at)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for delivery_id in ids if attempt_delivery(delivery_id, now=at))


@task()
def run_batch_job(job_id: str) -> str:
    """Verify a submitted file; the result waits for download."""
    from dancu.exchange.services.batch import run_job

    return run_job(job_id)
