""" "Who used my data": the portal page and the findUsage API for the national portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dancu.core.audit import Actor, record
from dancu.core.models import ActorKind
from dancu.exchange.tests.conftest import OFFICER_ID, Gateway, System
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db


def _use_lan_data(gateway: Gateway, insurance: System, bank: System) -> None:
    gateway.post(insurance, "read/v1", {"personal_id": "031190012345", "fields": ["full_name"]}, purpose="BHYT.CAP-THE")
    gateway.post(
        bank,
        "verify/v1",
        {"personal_id": "031190012345", "birth_date": "1990-05-12"},
        purpose="NH.KYC",
        officer="VN031000000077",
        issue="HS-2025-0001",
    )
    gateway.post(bank, "read/v1", {"personal_id": "031190012345", "fields": ["phone"]}, purpose="DV.DONG-Y")
    # Someone else's data: must not show.
    gateway.post(bank, "verify/v1", {"personal_id": "031201004567", "sex": "male"}, purpose="NH.KYC")


def test_it_shows_the_citizen_every_access_to_their_data(
    client: Client,
    gateway: Gateway,
    insurance_system: System,
    bank_system: System,
    citizen_lan: Any,
    person_minh: Person,
) -> None:
    _use_lan_data(gateway, insurance_system, bank_system)
    # The citizen's own acts are not "someone using my data".
    record(
        action="exchange.consent_given",
        actor=Actor(kind=ActorKind.CITIZEN, id="031190012345"),
        subject_personal_id="031190012345",
    )

    client.force_login(citizen_lan)
    page = client.get("/cong-dan/ai-da-dung-du-lieu/")

    assert page.status_code == 200
    rows = page.context["usages"]
    assert [(u.organisation_name, u.system_name, u.officer, u.purpose_code, u.fields, u.outcome) for u in rows] == [
        (
            "Ngân hàng TMCP Ngoại thương Việt Nam",
            "Định danh khách hàng điện tử",
            OFFICER_ID,
            "DV.DONG-Y",
            (),
            "refused",
        ),
        (
            "Ngân hàng TMCP Ngoại thương Việt Nam",
            "Định danh khách hàng điện tử",
            "VN031000000077",
            "NH.KYC",
            ("birth_date",),
            "ok",
        ),
        (
            "Bảo hiểm xã hội thành phố Hải Phòng",
            "Hệ thống tiếp nhận hồ sơ",
            OFFICER_ID,
            "BHYT.CAP-THE",
            ("full_name",),
            "ok",
        ),
        # The police officer who opened Lan's e-ID account.
        ("", "", "police-test", "", (), "ok"),
    ]
    text = page.content.decode()
    assert "Nhận biết khách hàng khi mở và duy trì tài khoản" in text
    assert "HS-2025-0001" in text
    assert "Bị từ chối" in text
    assert page["Cache-Control"] == "no-store"


def test_it_answers_find_usage_for_the_national_portal(
    gateway: Gateway, insurance_system: System, bank_system: System, portal_system: System, person_lan: Person
) -> None:
    _use_lan_data(gateway, insurance_system, bank_system)

    response = gateway.get(
        portal_system,
        "usage/v1",
        purpose="DVC.LICH-SU",
        params={"userCode": "031190012345", "offset": 1, "limit": 1},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["totalUsages"] == 3
    [usage] = body["usages"]
    assert {k: v for k, v in usage.items() if k != "logtime"} == {
        "action": "Xác thực thông tin / Verification",
        "receiverCode": "0100112437",
        "receiverName": "Ngân hàng TMCP Ngoại thương Việt Nam",
        "receiverSystem": "Định danh khách hàng điện tử",
        "officer": "VN031000000077",
        "purpose": "NH.KYC",
        "fields": ["birth_date"],
        "outcome": "ok",
    }
    assert usage["logtime"].endswith("Z")
    # The lookup itself is a use of Lan's data, visible next time.
    again = gateway.get(portal_system, "usage/v1", purpose="DVC.LICH-SU", params={"userCode": "031190012345"})
    assert again.json()["totalUsages"] == 4
    assert again.json()["usages"][0]["receiverName"] == "Cổng Dịch vụ công quốc gia"


def test_it_filters_usage_by_period(
    gateway: Gateway, bank_system: System, portal_system: System, person_lan: Person
) -> None:
    gateway.post(bank_system, "verify/v1", {"personal_id": "031190012345", "sex": "female"}, purpose="NH.KYC")

    response = gateway.get(
        portal_system,
        "usage/v1",
        purpose="DVC.LICH-SU",
        params={"userCode": "031190012345", "periodStart": "2001-01-01", "periodEnd": "2001-12-31"},
    )

    assert response.json() == {"totalUsages": 0, "usages": []}


def test_it_names_acts_of_other_parts_of_the_platform() -> None:
    from dancu.exchange.queries import action_label

    assert action_label("exchange.read") == "Khai thác thông tin / Data read"
    assert (
        action_label("identity.account_registered") == "Tài khoản định danh điện tử / e-ID account (account registered)"
    )
    assert (
        action_label("registry.person.record_death")
        == "Cơ sở dữ liệu dân cư / Population register (person record death)"
    )
    assert action_label("monitoring.report") == "monitoring.report"
