"""Rate limits and quotas per system: 429 with Retry-After, never more calls than allowed."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from dancu.core.models import AuditEntry
from dancu.exchange import limits
from dancu.exchange.actions import do_set_limits
from dancu.exchange.error_codes import ExchangeError
from dancu.exchange.models import Allowance
from dancu.exchange.policy import current_policy
from dancu.exchange.tests.conftest import ADMIN, Gateway, System
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db


def _away_from_the_minute_boundary() -> None:
    if timezone.now().second >= 55:
        time.sleep(61 - timezone.now().second)


def test_it_answers_429_once_the_minute_is_used_up(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    do_set_limits(bank_system.system, rate_per_minute=3, quota_per_day=1000, actor=ADMIN)
    _away_from_the_minute_boundary()
    body = {"personal_id": "031190012345", "sex": "female"}

    statuses = [gateway.post(bank_system, "verify/v1", body, purpose="NH.KYC").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 429, 429]
    refused = gateway.post(bank_system, "verify/v1", body, purpose="NH.KYC")
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert AuditEntry.objects.filter(action="exchange.verify", outcome="ok").count() == 3
    assert AuditEntry.objects.filter(action="exchange.verify", outcome="refused").count() == 3


def test_it_answers_429_once_the_day_is_used_up(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    do_set_limits(bank_system.system, rate_per_minute=1000, quota_per_day=2, actor=ADMIN)
    body = {"personal_id": "031190012345", "sex": "female"}

    statuses = [gateway.post(bank_system, "verify/v1", body, purpose="NH.KYC").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert gateway.post(bank_system, "verify/v1", body, purpose="NH.KYC").json()["code"] == "quota_exceeded"


def test_it_leases_slices_and_opens_a_new_window(bank_system: System) -> None:
    do_set_limits(bank_system.system, rate_per_minute=100, quota_per_day=10_000, actor=ADMIN)
    system = current_policy().systems_by_client[bank_system.client_id]
    start = timezone.now().replace(second=0, microsecond=0)

    for _ in range(100):
        limits.take(system, now=start + dt.timedelta(seconds=10))
    with pytest.raises(ExchangeError) as refused:
        limits.take(system, now=start + dt.timedelta(seconds=10))
    assert (refused.value.code, refused.value.retry_after) == ("rate_limited", 51)

    # Leases of two calls each: the shared row counts every call handed out, no more.
    minute = Allowance.objects.get(system=bank_system.system, period="minute", window_start=start)
    assert minute.used == 100

    limits.take(system, now=start + dt.timedelta(minutes=1, seconds=1))
    assert Allowance.objects.filter(system=bank_system.system, period="minute").count() == 2


def test_it_shares_the_allowance_between_processes(bank_system: System) -> None:
    do_set_limits(bank_system.system, rate_per_minute=10, quota_per_day=10_000, actor=ADMIN)
    system = current_policy().systems_by_client[bank_system.client_id]
    now = timezone.now().replace(second=30)

    taken = 0
    for _ in range(4):
        # Each reset plays a fresh web process with no lease of its own.
        limits.reset_leases()
        for _ in range(4):
            try:
                limits.take(system, now=now)
            except ExchangeError:
                break
            taken += 1

    assert taken == 10
