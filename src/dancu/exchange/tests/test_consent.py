"""Consent: the citizen grants and withdraws it in the portal; every version is kept as
hash-chained evidence with the ISO/IEC TS 27560 fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dancu.core.audit import Actor
from dancu.core.models import ActorKind, AuditEntry
from dancu.exchange.actions import check_grant_consent, do_withdraw_consent
from dancu.exchange.consent import GENESIS, hash_snapshot
from dancu.exchange.error_codes import ExchangeError
from dancu.exchange.models import ConsentEvent, ConsentRecord, Purpose
from dancu.exchange.tests.conftest import System
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db

LAN = Actor(kind=ActorKind.CITIZEN, id="031190012345")


def _give(bank: System, fields: list[str], until: dt.datetime | None = None) -> ConsentRecord:
    return check_grant_consent(
        personal_id="031190012345",
        member=bank.system.member,
        purpose=Purpose.objects.get(code="DV.DONG-Y"),
        fields=fields,
        valid_until=until,
        actor=LAN,
        notice_url="https://dancu.example/cong-dan/chia-se-du-lieu/",
    )


def test_it_keeps_every_version_as_chained_evidence(bank_system: System, person_lan: Person) -> None:
    first = _give(bank_system, ["phone"])
    _give(bank_system, ["phone", "full_name"])
    do_withdraw_consent(first, actor=LAN)

    events = list(ConsentEvent.objects.filter(record=first).order_by("version"))
    assert [(e.version, e.event_type, e.snapshot["state"]) for e in events] == [
        (1, "given", "given"),
        (2, "modified", "given"),
        (3, "withdrawn", "withdrawn"),
    ]
    previous = GENESIS
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == hash_snapshot(event.snapshot, previous)
        previous = event.hash
    snapshot = events[1].snapshot
    assert snapshot["data_subject"] == "031190012345"
    assert snapshot["processing"]["purpose"] == "DV.DONG-Y"
    assert snapshot["processing"]["legal_basis"] == "consent"
    assert snapshot["processing"]["data_categories"] == ["full_name", "phone"]
    assert snapshot["processing"]["recipient"] == "Ngân hàng TMCP Ngoại thương Việt Nam"
    assert snapshot["notice"] == {"url": "https://dancu.example/cong-dan/chia-se-du-lieu/", "language": "vi"}
    assert snapshot["expressed_by"] == "031190012345"
    assert snapshot["method"] == "portal"
    actions = list(
        AuditEntry.objects.filter(subject_personal_id="031190012345", action__startswith="exchange.consent")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["exchange.consent_given", "exchange.consent_given", "exchange.consent_withdrawn"]


def test_it_refuses_consent_to_fields_nobody_asked_for(bank_system: System, person_lan: Person) -> None:
    with pytest.raises(ExchangeError) as refused:
        _give(bank_system, ["phone", "religion"])

    assert refused.value.code == "invalid_request"
    assert not ConsentRecord.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_it_refuses_consent_that_ends_in_the_past(bank_system: System, person_lan: Person) -> None:
    with pytest.raises(ExchangeError):
        _give(bank_system, ["phone"], until=timezone.now() - dt.timedelta(minutes=1))

    assert not ConsentRecord.objects.exists()


def test_it_shows_the_agreements_and_records_consent_from_the_portal(
    client: Client, bank_system: System, citizen_lan: Any
) -> None:
    client.force_login(citizen_lan)
    page = client.get("/cong-dan/chia-se-du-lieu/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ngân hàng TMCP Ngoại thương Việt Nam" in text
    assert "Chưa đồng ý" in text

    key = f"{bank_system.system.member_id}-{Purpose.objects.get(code='DV.DONG-Y').pk}"
    response = client.post(
        "/cong-dan/chia-se-du-lieu/", {"action": "grant", "agreement": key, "shared": ["phone"], "duration": "365"}
    )

    assert response.status_code == 302
    record = ConsentRecord.objects.get(personal_id="031190012345")
    assert (record.state, record.fields, record.expressed_by, record.method) == (
        "given",
        ["phone"],
        "031190012345",
        "portal",
    )
    assert record.valid_until is not None
    assert dt.timedelta(days=364) < record.valid_until - timezone.now() <= dt.timedelta(days=365)
    assert "Đang đồng ý" in client.get("/cong-dan/chia-se-du-lieu/").content.decode()

    client.post("/cong-dan/chia-se-du-lieu/", {"action": "withdraw", "agreement": key})

    record.refresh_from_db()
    assert record.state == "withdrawn"
    assert "Đã rút lại" in client.get("/cong-dan/chia-se-du-lieu/").content.decode()


def test_it_refuses_a_consent_form_for_an_unknown_field(client: Client, bank_system: System, citizen_lan: Any) -> None:
    client.force_login(citizen_lan)
    key = f"{bank_system.system.member_id}-{Purpose.objects.get(code='DV.DONG-Y').pk}"

    client.post(
        "/cong-dan/chia-se-du-lieu/", {"action": "grant", "agreement": key, "shared": ["religion"], "duration": ""}
    )

    assert not ConsentRecord.objects.exists()


def test_it_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get("/cong-dan/chia-se-du-lieu/")

    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
