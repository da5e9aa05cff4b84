"""Webhook URLs must lead to public addresses (SSRF through DNS names), at registration and at
every delivery, unless the administrator allowed the host as an on-premise peer. The resolver is
replaced by a table: no network."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from dancu.core.events import publish
from dancu.core.models import AuditEntry
from dancu.exchange import webhook_targets
from dancu.exchange.models import DeliveryStatus, Subscription, WebhookDelivery
from dancu.exchange.tests.conftest import Gateway, System
from dancu.exchange.webhook_targets import UnsafeTargetError, check_target, is_public_address
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db

PUBLIC_V4 = "8.8.8.8"
PUBLIC_V6 = "2001:4860:4860::8888"


class Dns:
    """A resolver answering from a table; a missing name fails as NXDOMAIN does."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        if host not in self.records:
            raise OSError(-2, "Name or service not known")
        return self.records[host]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Dns:
    table = Dns()
    monkeypatch.setattr(webhook_targets, "resolve_host", table)
    return table


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 — an address under test, not a bind
        "224.0.0.1",
        "203.0.113.7",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_it_calls_private_loopback_link_local_and_reserved_addresses_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "1.1.1.1"])
def test_it_calls_internet_addresses_public(address: str) -> None:
    assert is_public_address(address)


def test_it_refuses_a_name_with_any_private_address(dns: Dns) -> None:
    dns.records["hooks.benhvien.vn"] = [PUBLIC_V4, "10.0.0.5"]

    with pytest.raises(UnsafeTargetError, match=r"10\.0\.0\.5"):
        check_target("https://hooks.benhvien.vn/dancu")


def test_it_connects_to_the_checked_address_and_keeps_the_name(dns: Dns) -> None:
    dns.records["hooks.bhxh.gov.vn"] = [PUBLIC_V6]

    target = check_target("https://hooks.bhxh.gov.vn:8443/nhan?x=1")

    assert target.url == f"https://[{PUBLIC_V6}]:8443/nhan?x=1"
    assert (target.host, target.host_header, target.address) == (
        "hooks.bhxh.gov.vn",
        "hooks.bhxh.gov.vn:8443",
        PUBLIC_V6,
    )
    assert dns.asked == [("hooks.bhxh.gov.vn", 8443)]


def _subscribe(gateway: Gateway, system: System, url: str) -> Any:
    return gateway.post(system, "changes/v1/subscriptions", {"url": url, "kinds": ["death"]}, purpose="BHXH.CHE-DO")


def test_it_refuses_to_register_a_url_whose_name_resolves_inside(
    gateway: Gateway, insurance_system: System, dns: Dns
) -> None:
    dns.records["metadata.attacker.example"] = ["169.254.169.254"]

    response = _subscribe(gateway, insurance_system, "https://metadata.attacker.example/latest")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")
    assert "169.254.169.254" in response.json()["detail"]
    assert not Subscription.objects.exists()


def test_it_refuses_to_register_a_name_that_does_not_resolve(
    gateway: Gateway, insurance_system: System, dns: Dns
) -> None:
    response = _subscribe(gateway, insurance_system, "https://khong-ton-tai.example/hook")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")
    assert "khong-ton-tai.example" in response.json()["detail"]
    assert not Subscription.objects.exists()


def test_it_registers_a_public_url(gateway: Gateway, insurance_system: System, dns: Dns) -> None:
    dns.records["hooks.bhxh.gov.vn"] = [PUBLIC_V4]

    response = _subscribe(gateway, insurance_system, "https://hooks.bhxh.gov.vn/dancu")

    assert response.status_code == 201
    assert Subscription.objects.get().url == "https://hooks.bhxh.gov.vn/dancu"


@override_settings(DANCU_WEBHOOK_PRIVATE_HOSTS=["his.benhvien-tinh.local"])
def test_it_registers_an_on_premise_peer_the_administrator_allowed(
    gateway: Gateway, insurance_system: System, dns: Dns
) -> None:
    dns.records["his.benhvien-tinh.local"] = ["10.20.0.15"]
    dns.records["other.benhvien-tinh.local"] = ["10.20.0.16"]

    allowed = _subscribe(gateway, insurance_system, "https://his.benhvien-tinh.local/dancu")
    other = _subscribe(gateway, insurance_system, "https://other.benhvien-tinh.local/dancu")

    assert allowed.status_code == 201
    assert other.status_code == 400


def _record_death(capture: Callable[..., Any], personal_id: str) -> WebhookDelivery:
    with capture(execute=True), transaction.atomic():
        publish("registry.person_died", {"personal_id": personal_id})
    return WebhookDelivery.objects.get()


def test_it_does_not_deliver_once_the_name_points_inside(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    dns: Dns,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    dns.records["hooks.bhxh.gov.vn"] = [PUBLIC_V4]
    assert _subscribe(gateway, insurance_system, "https://hooks.bhxh.gov.vn/dancu").status_code == 201
    # The record is changed after registration (DNS rebinding) to the gateway's own machine.
    dns.records["hooks.bhxh.gov.vn"] = ["127.0.0.1"]

    delivery = _record_death(django_capture_on_commit_callbacks, "031190012345")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("webhook_target_not_public: ")
    assert "127.0.0.1" in delivery.last_error
    assert delivery.attempts == 0
    # Nothing left, so no access was recorded for the citizen.
    assert not AuditEntry.objects.filter(action="exchange.changes", subject_personal_id="031190012345").exists()


def test_it_retries_a_delivery_whose_name_does_not_resolve_now(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    dns: Dns,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    dns.records["hooks.bhxh.gov.vn"] = [PUBLIC_V4]
    assert _subscribe(gateway, insurance_system, "https://hooks.bhxh.gov.vn/dancu").status_code == 201
    del dns.records["hooks.bhxh.gov.vn"]

    delivery = _record_death(django_capture_on_commit_callbacks, "031190012345")

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, None)
    assert "hooks.bhxh.gov.vn" in delivery.last_error
    assert not AuditEntry.objects.filter(action="exchange.changes", subject_personal_id="031190012345").exists()
