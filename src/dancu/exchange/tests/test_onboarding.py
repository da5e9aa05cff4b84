"""Onboarding: a system asks to connect; an administrator approves it (it can then call within
its grants) or refuses it with a written reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dancu.core.audit import Actor
from dancu.core.models import ActorKind, AuditEntry
from dancu.exchange.actions import check_submit_onboarding
from dancu.exchange.error_codes import ExchangeError
from dancu.exchange.models import AccessGrant, MemberSystem, OnboardingRequest
from dancu.exchange.tests.conftest import Gateway, System, new_key, public_jwks
from dancu.identity.models import Client as OAuthClient
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db

HOSPITAL_IT = Actor(kind=ActorKind.OFFICER, id="it-benh-vien")


def _submit(key: Any, **overrides: Any) -> OnboardingRequest:
    values: dict[str, Any] = {
        "member_class": "GOV",
        "member_code": "BV-VIETTIEP",
        "member_name": "Bệnh viện Hữu nghị Việt Tiệp",
        "sector": "hospital",
        "system_code": "his",
        "system_name": "Hệ thống thông tin bệnh viện",
        "jwks": public_jwks(key),
        "contact_email": "cntt@viettiep.example",
        "requested_access": [
            {"service": "verify", "purpose": "YT.KHAM-BENH", "fields": ["full_name", "birth_date", "sex"]},
            {"service": "card-qr", "purpose": "YT.KHAM-BENH", "fields": ["full_name", "birth_date", "sex", "card"]},
        ],
        "justification": "Xác định người bệnh khi tiếp đón / identify patients at admission",
        "actor": HOSPITAL_IT,
    }
    values.update(overrides)
    return check_submit_onboarding(**values)


def test_it_refuses_a_request_with_a_private_key() -> None:
    key = new_key()

    with pytest.raises(ExchangeError):
        _submit(key, jwks={"keys": [key.as_dict(private=True)]})

    assert not OnboardingRequest.objects.exists()


def test_it_refuses_a_request_for_a_field_a_service_cannot_verify() -> None:
    with pytest.raises(ExchangeError) as refused:
        _submit(new_key(), requested_access=[{"service": "verify", "purpose": "YT.KHAM-BENH", "fields": ["phone"]}])

    assert "cannot verify: phone" in refused.value.detail
    assert not OnboardingRequest.objects.exists()


def test_it_lets_an_administrator_approve_and_the_system_call(
    client: Client, admin_user: Any, person_lan: Person
) -> None:
    key = new_key()
    request = _submit(key)
    client.force_login(admin_user)

    listing = client.get("/quan-ly/ket-noi/")
    assert "Bệnh viện Hữu nghị Việt Tiệp" in listing.content.decode()
    detail = client.get(f"/quan-ly/ket-noi/{request.pk}/")
    assert "YT.KHAM-BENH" in detail.content.decode()

    response = client.post(f"/quan-ly/ket-noi/{request.pk}/", {"decision": "approve", "note": "Đủ hồ sơ"})

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_reason) == ("approved", "quantri", "Đủ hồ sơ")
    system = MemberSystem.objects.select_related("member").get()
    assert system.xroad_id == "VN/GOV/BV-VIETTIEP/his"
    oauth = OAuthClient.objects.get(client_id=system.client_id)
    assert (oauth.kind, oauth.auth_method, oauth.jwks) == ("exchange", "private_key_jwt", public_jwks(key))
    assert sorted(AccessGrant.objects.filter(system=system).values_list("service", flat=True)) == ["card-qr", "verify"]
    assert AuditEntry.objects.filter(action="exchange.onboarding_approved", actor_id="quantri").count() == 1

    gateway = Gateway(Client())
    hospital = System(system=system, key=key)
    verified = gateway.post(
        hospital, "verify/v1", {"personal_id": "031190012345", "full_name": "Nguyễn Thị Lan"}, purpose="YT.KHAM-BENH"
    )
    assert verified.status_code == 200
    assert verified.json()["answer"]["status"] is True
    outside = gateway.post(hospital, "read/v1", {"personal_id": "031190012345"}, purpose="YT.KHAM-BENH")
    assert (outside.status_code, outside.json()["code"]) == (403, "access_denied")


def test_it_requires_a_written_reason_to_refuse(client: Client, admin_user: Any) -> None:
    request = _submit(new_key())
    client.force_login(admin_user)

    short = client.post(f"/quan-ly/ket-noi/{request.pk}/", {"decision": "refuse", "reason": "Không"})
    assert short.status_code == 200
    request.refresh_from_db()
    assert request.status == "pending"

    client.post(
        f"/quan-ly/ket-noi/{request.pk}/",
        {"decision": "refuse", "reason": "Thiếu văn bản thỏa thuận chia sẻ dữ liệu / no data-sharing agreement"},
    )

    request.refresh_from_db()
    assert request.status == "refused"
    assert request.decision_reason == "Thiếu văn bản thỏa thuận chia sẻ dữ liệu / no data-sharing agreement"
    assert not MemberSystem.objects.exists()
    again = client.post(f"/quan-ly/ket-noi/{request.pk}/", {"decision": "approve", "note": ""})
    assert again.status_code == 302
    assert not MemberSystem.objects.exists()


def test_it_keeps_the_page_from_non_administrators(client: Client, citizen_lan: Any) -> None:
    request = _submit(new_key())
    client.force_login(citizen_lan)

    assert client.get("/quan-ly/ket-noi/").status_code == 403
    assert client.post(f"/quan-ly/ket-noi/{request.pk}/", {"decision": "approve"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"
