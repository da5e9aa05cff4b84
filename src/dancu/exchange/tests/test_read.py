"""``read``: exactly the granted fields, refusals that change nothing, consent when required."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from dancu.core.audit import Actor
from dancu.core.models import ActorKind, AuditEntry
from dancu.exchange.actions import check_grant_consent, do_withdraw_consent
from dancu.exchange.models import Purpose
from dancu.exchange.tests.conftest import Gateway, System
from dancu.registry.models import Household, Person

pytestmark = pytest.mark.django_db

LAN = Actor(kind=ActorKind.CITIZEN, id="031190012345")


def _ok_reads() -> int:
    return AuditEntry.objects.filter(action="exchange.read", outcome="ok").count()


def test_it_returns_every_granted_field_and_nothing_else(
    gateway: Gateway, insurance_system: System, person_lan: Person
) -> None:
    household = Household.objects.create(code="HP-000123", head=person_lan, commune_code="31105")
    Person.objects.filter(pk=person_lan.pk).update(household=household, relation_to_head="Chủ hộ")

    response = gateway.post(insurance_system, "read/v1", {"personal_id": "031190012345"}, purpose="BHYT.CAP-THE")

    assert response.status_code == 200
    assert response.json() == {
        "personal_id": "031190012345",
        "data": {
            "birth_date": "1990-05-12",
            "full_name": "Nguyễn Thị Lan",
            "household": {"code": "HP-000123", "relation_to_head": "Chủ hộ", "head_personal_id": "031190012345"},
            "permanent_address": {
                "province_code": "31",
                "commune_code": "31105",
                "address_line": "Số 12 ngõ 34 phố Lạch Tray",
            },
            "sex": "female",
        },
    }
    [entry] = AuditEntry.objects.filter(action="exchange.read")
    assert entry.fields == ["birth_date", "full_name", "household", "permanent_address", "sex"]
    assert entry.response_hash == hashlib.sha256(response.content).hexdigest()


def test_it_returns_only_the_fields_asked_for(gateway: Gateway, insurance_system: System, person_lan: Person) -> None:
    response = gateway.post(
        insurance_system,
        "read/v1",
        {"personal_id": "031190012345", "fields": ["sex", "full_name"]},
        purpose="BHYT.CAP-THE",
    )

    assert response.json() == {"personal_id": "031190012345", "data": {"full_name": "Nguyễn Thị Lan", "sex": "female"}}


def test_it_refuses_a_field_outside_the_grant_and_returns_nothing(
    gateway: Gateway, insurance_system: System, person_lan: Person
) -> None:
    response = gateway.post(
        insurance_system,
        "read/v1",
        {"personal_id": "031190012345", "fields": ["full_name", "phone"]},
        purpose="BHYT.CAP-THE",
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response["X-Road-Error"] == "field_not_granted"
    body = response.json()
    assert body["code"] == "field_not_granted"
    assert body["fields"] == ["phone"]
    assert "Lan" not in response.content.decode()
    assert _ok_reads() == 0
    [entry] = AuditEntry.objects.filter(action="exchange.read")
    assert (entry.outcome, entry.subject_personal_id, entry.fields) == ("refused", "031190012345", [])
    assert entry.details["code"] == "field_not_granted"


def test_it_refuses_a_purpose_without_a_grant(gateway: Gateway, insurance_system: System, person_lan: Person) -> None:
    response = gateway.post(insurance_system, "read/v1", {"personal_id": "031190012345"}, purpose="THUE.MA-SO")

    assert response.status_code == 403
    assert response.json()["code"] == "access_denied"
    assert _ok_reads() == 0


def test_it_answers_404_for_an_unknown_person_and_audits_the_lookup(
    gateway: Gateway, insurance_system: System, person_lan: Person
) -> None:
    response = gateway.post(insurance_system, "read/v1", {"personal_id": "031190000000"}, purpose="BHYT.CAP-THE")

    assert response.status_code == 404
    assert response.json()["code"] == "person_not_found"
    [entry] = AuditEntry.objects.filter(action="exchange.read")
    assert (entry.outcome, entry.subject_personal_id) == ("failed", "031190000000")
    assert entry.response_hash == hashlib.sha256(response.content).hexdigest()


def _consent(person: Person, bank: System, fields: list[str], until: dt.datetime | None = None) -> None:
    check_grant_consent(
        personal_id=person.personal_id,
        member=bank.system.member,
        purpose=Purpose.objects.get(code="DV.DONG-Y"),
        fields=fields,
        valid_until=until,
        actor=LAN,
    )


def test_it_refuses_a_consent_grant_without_consent(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    response = gateway.post(
        bank_system, "read/v1", {"personal_id": "031190012345", "fields": ["phone"]}, purpose="DV.DONG-Y"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "consent_required"
    assert response.json()["detail"] == (
        "Cần sự đồng ý của công dân: công dân chưa đồng ý / The citizen's consent is required: the citizen has not given consent"
    )
    assert _ok_reads() == 0


def test_it_reads_with_consent_then_refuses_once_withdrawn(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    _consent(person_lan, bank_system, ["phone", "full_name"])

    granted = gateway.post(
        bank_system, "read/v1", {"personal_id": "031190012345", "fields": ["phone"]}, purpose="DV.DONG-Y"
    )
    assert granted.status_code == 200
    assert granted.json()["data"] == {"phone": "0912345678"}

    outside = gateway.post(
        bank_system, "read/v1", {"personal_id": "031190012345", "fields": ["permanent_address"]}, purpose="DV.DONG-Y"
    )
    assert outside.status_code == 403
    assert "permanent_address" in outside.json()["detail"]

    from dancu.exchange.models import ConsentRecord

    do_withdraw_consent(ConsentRecord.objects.get(personal_id="031190012345"), actor=LAN)
    refused = gateway.post(
        bank_system, "read/v1", {"personal_id": "031190012345", "fields": ["phone"]}, purpose="DV.DONG-Y"
    )
    assert refused.status_code == 403
    assert "withdrawn consent" in refused.json()["detail"]
    assert _ok_reads() == 1


def test_it_refuses_once_consent_has_expired(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    from dancu.exchange.models import ConsentRecord

    _consent(person_lan, bank_system, ["phone"], until=timezone.now() + dt.timedelta(days=1))
    ConsentRecord.objects.filter(personal_id="031190012345").update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )

    response = gateway.post(
        bank_system, "read/v1", {"personal_id": "031190012345", "fields": ["phone"]}, purpose="DV.DONG-Y"
    )

    assert response.status_code == 403
    assert "consent expired on" in response.json()["detail"]
