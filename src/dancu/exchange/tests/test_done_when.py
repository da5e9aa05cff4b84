"""The issue's "done when", end to end: a sectoral system onboarded by an administrator verifies
and reads a citizen's data within its policy, is refused outside it, receives a change event when
an officer records a death, and the citizen sees each of those accesses in the portal."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dancu.core.audit import Actor
from dancu.core.models import ActorKind
from dancu.exchange.actions import check_submit_onboarding
from dancu.exchange.models import MemberSystem
from dancu.exchange.tests.conftest import Gateway, Receiver, System, new_key, public_jwks
from dancu.exchange.webhooks import verify_signature

pytestmark = pytest.mark.django_db


def test_it_does_what_the_issue_asks(
    client: Client,
    admin_user: Any,
    citizen_lan: Any,
    receiver: Receiver,
    portal_system: System,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from dancu.identity.actions.staff import do_create_officer
    from dancu.registry.actions import check_record_death

    # 1. Social insurance asks to connect; an administrator approves on the onboarding page.
    key = new_key()
    request = check_submit_onboarding(
        member_class="GOV",
        member_code="BHXH-HP",
        member_name="Bảo hiểm xã hội thành phố Hải Phòng",
        sector="social_insurance",
        system_code="tiep-nhan",
        system_name="Hệ thống tiếp nhận hồ sơ",
        jwks=public_jwks(key),
        contact_email="cntt@bhxh.example",
        requested_access=[
            {"service": "verify", "purpose": "BHXH.CHE-DO", "fields": ["full_name", "birth_date"]},
            {"service": "read", "purpose": "BHXH.CHE-DO", "fields": ["full_name", "status", "deceased_on"]},
            {"service": "changes", "purpose": "BHXH.CHE-DO", "fields": ["status", "deceased_on"]},
        ],
        justification="Giải quyết mai táng phí, tử tuất / funeral allowance and survivor benefits",
        actor=Actor(kind=ActorKind.OFFICER, id="cntt-bhxh"),
    )
    admin = Client()
    admin.force_login(admin_user)
    admin.post(f"/quan-ly/ket-noi/{request.pk}/", {"decision": "approve", "note": "Đủ điều kiện"})
    insurance = System(system=MemberSystem.objects.select_related("member").get(member__code="BHXH-HP"), key=key)
    gateway = Gateway(Client())

    # 2. It verifies and reads within its policy…
    verified = gateway.post(
        insurance,
        "verify/v1",
        {"personal_id": "031190012345", "full_name": "Nguyễn Thị Lan", "birth_date": "1990-05-12"},
        purpose="BHXH.CHE-DO",
        officer="VN031000000101",
    )
    assert verified.json()["answer"]["status"] is True
    read = gateway.post(
        insurance, "read/v1", {"personal_id": "031190012345"}, purpose="BHXH.CHE-DO", officer="VN031000000101"
    )
    assert read.json()["data"] == {"deceased_on": None, "full_name": "Nguyễn Thị Lan", "status": "alive"}

    # 3. …and is refused outside it, with nothing returned.
    phone = gateway.post(
        insurance, "read/v1", {"personal_id": "031190012345", "fields": ["phone"]}, purpose="BHXH.CHE-DO"
    )
    assert (phone.status_code, phone.json()["code"]) == (403, "field_not_granted")
    other_purpose = gateway.post(insurance, "read/v1", {"personal_id": "031190012345"}, purpose="THUE.MA-SO")
    assert (other_purpose.status_code, other_purpose.json()["code"]) == (403, "access_denied")

    # 4. Lan sees each of those uses in the portal: who, which system, which officer, why, what.
    client.force_login(citizen_lan)
    page = client.get("/cong-dan/ai-da-dung-du-lieu/")
    uses = [
        (u.action, u.organisation_name, u.officer, u.purpose_code, u.fields, u.outcome) for u in page.context["usages"]
    ]
    assert [u for u in uses if u[1] == "Bảo hiểm xã hội thành phố Hải Phòng"] == [
        ("exchange.read", "Bảo hiểm xã hội thành phố Hải Phòng", "VN031000000042", "THUE.MA-SO", (), "refused"),
        ("exchange.read", "Bảo hiểm xã hội thành phố Hải Phòng", "VN031000000042", "BHXH.CHE-DO", (), "refused"),
        (
            "exchange.read",
            "Bảo hiểm xã hội thành phố Hải Phòng",
            "VN031000000101",
            "BHXH.CHE-DO",
            ("deceased_on", "full_name", "status"),
            "ok",
        ),
        (
            "exchange.verify",
            "Bảo hiểm xã hội thành phố Hải Phòng",
            "VN031000000101",
            "BHXH.CHE-DO",
            ("full_name", "birth_date"),
            "ok",
        ),
    ]
    assert "Giải quyết chế độ bảo hiểm xã hội" in page.content.decode()

    # 5. It subscribes to deaths; a civil-status officer records Lan's death; the webhook arrives.
    subscription = gateway.post(
        insurance, "changes/v1/subscriptions", {"url": receiver.url, "kinds": ["death"]}, purpose="BHXH.CHE-DO"
    ).json()
    officer, _ = do_create_officer(
        "hotich.lechan",
        display_name="Công chức hộ tịch phường Lê Chân",
        role="civil_status",
        password="mat-khau-rat-dai-cua-can-bo",
        communes=["31105"],
        actor=Actor.system("test"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        check_record_death(officer, "031190012345", deceased_on=dt.date(2025, 6, 1))
    [(headers, body)] = receiver.received
    assert verify_signature(subscription["secret"], headers, body)
    event = json.loads(body)["data"]
    assert (event["kind"], event["personal_id"], event["occurred_on"]) == ("death", "031190012345", "2025-06-01")

    # 6. Lan's account is locked by the death; her family asks through the national portal, which
    #    lists the notification with the rest (the same history, as an API).
    assert client.get("/cong-dan/ai-da-dung-du-lieu/").status_code == 302
    usage = gateway.get(
        portal_system, "usage/v1", purpose="DVC.LICH-SU", params={"userCode": "031190012345", "limit": 1}
    )
    [latest] = usage.json()["usages"]
    assert (latest["action"], latest["receiverName"], latest["fields"]) == (
        "Thông báo biến động / Change notification",
        "Bảo hiểm xã hội thành phố Hải Phòng",
        ["deceased_on", "status"],
    )
