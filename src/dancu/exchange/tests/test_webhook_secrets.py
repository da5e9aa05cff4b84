"""Webhook signing secrets are encrypted at rest: the database never holds the ``whsec_``
secret, deliveries are still signed with it, and a wrong key is a clear error."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from dancu.core.checks import check_production_settings
from dancu.exchange.models import Subscription, WebhookDelivery
from dancu.exchange.tasks import deliver_due
from dancu.exchange.tests.conftest import Gateway, Receiver, System
from dancu.exchange.tests.test_changes import _register_event, _subscribe
from dancu.exchange.webhook_secrets import WebhookSecretKeyError, decrypt_secret, encrypt_secret
from dancu.exchange.webhooks import attempt_delivery, verify_signature
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db

migration = importlib.import_module("dancu.exchange.migrations.0003_encrypt_webhook_secrets")


def _stored_column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM exchange_subscription WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_the_database_holds_no_plain_secret_and_deliveries_still_verify(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    created = _subscribe(gateway, insurance_system, receiver.url, ["death"])
    secret = created["secret"]
    assert secret.startswith("whsec_")

    stored = _stored_column(Subscription.objects.get().pk)
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    # Listing the subscriptions never shows it again.
    listed = gateway.get(insurance_system, "changes/v1/subscriptions", purpose="BHXH.CHE-DO")
    assert secret not in listed.content.decode()

    _register_event(django_capture_on_commit_callbacks, "registry.person_died", "031190012345")
    [(headers, body)] = receiver.received
    assert verify_signature(secret, headers, body)


def test_a_wrong_key_is_a_clear_error_and_the_delivery_waits(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Callable[..., Any],
    settings: Any,
) -> None:
    created = _subscribe(gateway, insurance_system, receiver.url, ["death"])
    right_key = settings.DANCU_WEBHOOK_SECRET_KEY
    settings.DANCU_WEBHOOK_SECRET_KEY = Fernet.generate_key().decode()

    _register_event(django_capture_on_commit_callbacks, "registry.person_died", "031190012345")
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert "cannot be decrypted" in delivery.last_error
    with pytest.raises(WebhookSecretKeyError, match="DANCU_WEBHOOK_SECRET_KEY is not"):
        attempt_delivery(delivery.pk, now=timezone.now() + dt.timedelta(minutes=2))
    assert receiver.received == []

    # With the new key in front and the old one behind it (a rotation), it goes out, signed as before.
    settings.DANCU_WEBHOOK_SECRET_KEY = f"{settings.DANCU_WEBHOOK_SECRET_KEY},{right_key}"
    assert deliver_due(now=timezone.now() + dt.timedelta(minutes=4)) == 1
    [(headers, body)] = receiver.received
    assert verify_signature(created["secret"], headers, body)


def test_a_missing_or_malformed_key_is_named() -> None:
    with override_settings(DANCU_WEBHOOK_SECRET_KEY=""), pytest.raises(WebhookSecretKeyError, match="not set"):
        encrypt_secret("whsec_x")
    with (
        override_settings(DANCU_WEBHOOK_SECRET_KEY="not-a-key"),
        pytest.raises(WebhookSecretKeyError, match="key 1 is not a Fernet key"),
    ):
        encrypt_secret("whsec_x")


def test_production_requires_the_key() -> None:
    with override_settings(
        DANCU_ENV="production",
        DANCU_WEBHOOK_SECRET_KEY="",
        DANCU_BASE_URL="https://dancu.example",
        SESSION_COOKIE_SECURE=True,
    ):
        ids = {problem.id for problem in check_production_settings(None)}
    assert "dancu.E005" in ids
    with override_settings(DANCU_ENV="production", DANCU_WEBHOOK_SECRET_KEY=Fernet.generate_key().decode()):
        assert "dancu.E005" not in {problem.id for problem in check_production_settings(None)}


def test_the_migration_encrypts_stored_secrets_and_reverses(
    gateway: Gateway, insurance_system: System, receiver: Receiver
) -> None:
    _subscribe(gateway, insurance_system, receiver.url, ["death"])
    subscription = Subscription.objects.get()
    plain = "whsec_" + "Q" * 43 + "="
    # A secret as the previous schema stored it: in plain text.
    Subscription.objects.filter(pk=subscription.pk).update(secret_encrypted=plain)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.encrypt_existing(django_apps, editor)
    stored = _stored_column(subscription.pk)
    assert plain not in stored
    assert decrypt_secret(stored) == plain
    migration.encrypt_existing(django_apps, editor)  # idempotent: not encrypted twice
    assert decrypt_secret(_stored_column(subscription.pk)) == plain

    migration.decrypt_existing(django_apps, editor)
    assert _stored_column(subscription.pk) == plain
