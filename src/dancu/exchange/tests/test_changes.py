"""``changes``: register events delivered as signed webhooks (with back-off) to a real HTTP
receiver, and as a pull feed with a cursor."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from dancu.core.events import publish
from dancu.core.models import AuditEntry
from dancu.exchange.actions import do_revoke_access
from dancu.exchange.models import AccessGrant, ChangeEvent, WebhookDelivery
from dancu.exchange.tasks import deliver_due
from dancu.exchange.tests.conftest import ADMIN, Gateway, Receiver, System
from dancu.exchange.webhooks import backoff, verify_signature
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db


def _register_event(capture: Callable[..., Any], kind: str, personal_id: str, **payload: Any) -> None:
    """What the register does when an officer records a change: publish in the transaction."""
    with capture(execute=True), transaction.atomic():
        publish(kind, {"personal_id": personal_id, **payload})


def _subscribe(gateway: Gateway, system: System, url: str, kinds: list[str]) -> dict[str, Any]:
    response = gateway.post(system, "changes/v1/subscriptions", {"url": url, "kinds": kinds}, purpose="BHXH.CHE-DO")
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_it_delivers_a_signed_webhook_when_a_death_is_recorded(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    subscription = _subscribe(gateway, insurance_system, receiver.url, ["death"])
    assert subscription["secret"].startswith("whsec_")

    _register_event(
        django_capture_on_commit_callbacks, "registry.person_died", "031190012345", deceased_on="2025-06-01"
    )

    [(headers, body)] = receiver.received
    assert verify_signature(subscription["secret"], headers, body)
    assert not verify_signature(subscription["secret"], headers, body + b" ")
    assert not verify_signature("whsec_" + "A" * 44, headers, body)
    message = json.loads(body)
    assert message["type"] == "registry.death"
    event = ChangeEvent.objects.get()
    assert message["data"] == {
        "id": str(event.pk),
        "kind": "death",
        "personal_id": "031190012345",
        "occurred_on": "2025-06-01",
        "fields": ["deceased_on", "status"],
        "recorded_at": message["data"]["recorded_at"],
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    [entry] = AuditEntry.objects.filter(action="exchange.changes", subject_personal_id="031190012345")
    assert (entry.actor_id, entry.subject_personal_id, entry.purpose) == (
        insurance_system.client_id,
        "031190012345",
        "BHXH.CHE-DO",
    )
    assert entry.details["delivery"] == "webhook"
    assert entry.request_id == headers["webhook-id"]


def test_it_retries_with_exponential_back_off(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _subscribe(gateway, insurance_system, receiver.url, ["death"])
    receiver.statuses = [503, 500]

    _register_event(django_capture_on_commit_callbacks, "registry.person_died", "031190012345")
    first = WebhookDelivery.objects.get()
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 503)
    delay = first.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=23) < delay <= dt.timedelta(seconds=36)

    # Not due yet: nothing is sent.
    assert deliver_due(now=timezone.now() + dt.timedelta(seconds=5)) == 0
    assert len(receiver.received) == 1

    later = timezone.now() + dt.timedelta(minutes=1)
    assert deliver_due(now=later) == 0
    second = WebhookDelivery.objects.get()
    assert (second.attempts, second.last_status_code) == (2, 500)
    assert dt.timedelta(seconds=47) < second.next_attempt_at - later <= dt.timedelta(seconds=72)

    assert deliver_due(now=later + dt.timedelta(minutes=5)) == 1
    done = WebhookDelivery.objects.get()
    assert (done.status, done.attempts, done.last_status_code) == ("delivered", 3, 204)
    assert len(receiver.received) == 3
    assert len({h["webhook-id"] for h, _ in receiver.received}) == 1


def test_it_doubles_the_delay_up_to_six_hours() -> None:
    import random

    # The same jitter draw for each attempt isolates the doubling.
    delays = [backoff(n, rng=random.Random(0)).total_seconds() for n in (1, 2, 3, 4)]
    assert [round(d / delays[0], 6) for d in delays] == [1, 2, 4, 8]
    assert 24 <= delays[0] <= 36
    assert backoff(30, rng=random.Random(0)) == backoff(40, rng=random.Random(0))
    assert dt.timedelta(hours=6 * 0.8) <= backoff(30, rng=random.Random(0)) <= dt.timedelta(hours=6 * 1.2)


def test_it_stops_delivering_once_the_grant_is_revoked(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _subscribe(gateway, insurance_system, receiver.url, ["death"])
    grant = AccessGrant.objects.get(system=insurance_system.system, service="changes", revoked_at__isnull=True)
    do_revoke_access(grant.pk, actor=ADMIN, reason="Hết thỏa thuận / agreement ended")

    _register_event(django_capture_on_commit_callbacks, "registry.person_died", "031190012345")

    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "access_denied")
    assert not AuditEntry.objects.filter(action="exchange.changes", subject_personal_id="031190012345").exists()


def test_it_records_each_domain_event_once(
    insurance_system: System, person_lan: Person, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from dancu.core.events import deliver
    from dancu.core.models import OutboxEvent

    _register_event(django_capture_on_commit_callbacks, "registry.name_changed", "031190012345")
    event = OutboxEvent.objects.get(kind="registry.name_changed")
    OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)

    assert deliver(event.pk) is True
    assert ChangeEvent.objects.count() == 1


def test_it_serves_the_feed_after_a_cursor(
    gateway: Gateway,
    insurance_system: System,
    bank_system: System,
    person_lan: Person,
    person_minh: Person,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _register_event(django_capture_on_commit_callbacks, "registry.person_born", "031225000001", birth_date="2025-06-02")
    _register_event(django_capture_on_commit_callbacks, "registry.card_issued", "031190012345", issued_on="2025-06-03")
    _register_event(
        django_capture_on_commit_callbacks, "registry.residence_changed", "031201004567", valid_from="2025-06-04"
    )

    first = gateway.get(insurance_system, "changes/v1", purpose="BHXH.CHE-DO", params={"limit": 1})
    assert first.status_code == 200
    [born] = first.json()["events"]
    assert (born["kind"], born["personal_id"], born["occurred_on"], born["fields"]) == (
        "birth",
        "031225000001",
        "2025-06-02",
        ["full_name"],
    )

    rest = gateway.get(
        insurance_system, "changes/v1", purpose="BHXH.CHE-DO", params={"after": first.json()["next_cursor"]}
    ).json()
    # The card event is outside the grant (no "card" field): the feed skips it.
    assert [(e["kind"], e["personal_id"], e["fields"]) for e in rest["events"]] == [
        ("residence_changed", "031201004567", ["permanent_address"])
    ]
    empty = gateway.get(insurance_system, "changes/v1", purpose="BHXH.CHE-DO", params={"after": rest["next_cursor"]})
    assert empty.json() == {"events": [], "next_cursor": rest["next_cursor"]}
    subjects = list(
        AuditEntry.objects.filter(action="exchange.changes", outcome="ok")
        .order_by("id")
        .values_list("subject_personal_id", flat=True)
    )
    assert subjects == ["031225000001", "031201004567", ""]
    assert gateway.get(bank_system, "changes/v1", purpose="NH.KYC").json()["code"] == "access_denied"


def test_it_manages_subscriptions(gateway: Gateway, insurance_system: System, receiver: Receiver) -> None:
    created = _subscribe(gateway, insurance_system, receiver.url, ["death", "name_changed"])

    listed = gateway.get(insurance_system, "changes/v1/subscriptions", purpose="BHXH.CHE-DO").json()
    assert listed == {
        "subscriptions": [
            {
                "id": created["id"],
                "url": receiver.url,
                "kinds": ["death", "name_changed"],
                "purpose": "BHXH.CHE-DO",
                "active": True,
                "created_at": created["created_at"],
            }
        ]
    }
    refused = gateway.post(
        insurance_system,
        "changes/v1/subscriptions",
        {"url": receiver.url, "kinds": ["card_issued"]},
        purpose="BHXH.CHE-DO",
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "field_not_granted")
    insecure = gateway.post(
        insurance_system,
        "changes/v1/subscriptions",
        {"url": "http://example.org/hook", "kinds": ["death"]},
        purpose="BHXH.CHE-DO",
    )
    assert (insecure.status_code, insecure.json()["code"]) == (400, "invalid_request")

    removed = gateway.delete(insurance_system, f"changes/v1/subscriptions/{created['id']}", purpose="BHXH.CHE-DO")
    assert removed.status_code == 204
    assert gateway.get(insurance_system, "changes/v1/subscriptions", purpose="BHXH.CHE-DO").json() == {
        "subscriptions": []
    }
    again = gateway.delete(insurance_system, f"changes/v1/subscriptions/{created['id']}", purpose="BHXH.CHE-DO")
    assert again.status_code == 404


@pytest.mark.parametrize("url", ["http://[::1/hook", "https://example.org:99999999/x", "https://exa mple.org/"])
def test_it_refuses_a_malformed_webhook_url(gateway: Gateway, insurance_system: System, url: str) -> None:
    response = gateway.post(
        insurance_system, "changes/v1/subscriptions", {"url": url, "kinds": ["death"]}, purpose="BHXH.CHE-DO"
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")


def test_it_retries_a_delivery_whose_worker_died_once_the_claim_lapses(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from dancu.exchange.webhooks import CLAIM, attempt_delivery

    _subscribe(gateway, insurance_system, receiver.url, ["death"])
    receiver.statuses = [500]
    _register_event(django_capture_on_commit_callbacks, "registry.person_died", "031190012345")
    delivery = WebhookDelivery.objects.get()
    due = delivery.next_attempt_at
    # A worker claims the delivery, then dies before sending anything.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=due + CLAIM)

    assert attempt_delivery(delivery.pk, now=due) is False
    assert deliver_due(now=due + dt.timedelta(seconds=30)) == 0
    assert len(receiver.received) == 1

    assert deliver_due(now=due + CLAIM) == 1
    assert len(receiver.received) == 2
    assert WebhookDelivery.objects.get().status == "delivered"
