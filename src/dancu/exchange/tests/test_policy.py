"""The access policy: deny by default, the persona matrix, revocation on the very next call,
expiry, suspension, and the X-Road headers every call must carry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dancu.core.models import AuditEntry
from dancu.exchange.actions import do_grant_access, do_revoke_access, do_set_system_status
from dancu.exchange.catalogue import FIELDS, VERIFY_FIELDS
from dancu.exchange.models import AccessGrant, Purpose
from dancu.exchange.tests.conftest import ADMIN, BASE, Gateway, System
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db

PURPOSES = [
    "BHYT.CAP-THE",
    "BHXH.CHE-DO",
    "HT.DANG-KY",
    "GD.TUYEN-SINH",
    "THUE.MA-SO",
    "NH.KYC",
    "YT.KHAM-BENH",
    "DVC.LICH-SU",
    "DV.DONG-Y",
]
CORE = {"full_name", "birth_date", "sex", "permanent_address"}
# What the persona fixtures grant, written out independently of the code under test:
# (service, purpose) -> (fields, requires consent).
GRANTS: dict[str, dict[tuple[str, str], tuple[set[str], bool]]] = {
    "insurance_system": {
        ("verify", "BHYT.CAP-THE"): (CORE, False),
        ("read", "BHYT.CAP-THE"): (CORE | {"household"}, False),
        ("batch-verify", "BHYT.CAP-THE"): (CORE, False),
        ("changes", "BHXH.CHE-DO"): ({"status", "deceased_on", "full_name", "permanent_address"}, False),
    },
    "bank_system": {
        ("verify", "NH.KYC"): ({"full_name", "birth_date", "sex"}, False),
        ("card-qr", "NH.KYC"): ({"full_name", "birth_date", "sex", "card"}, False),
        ("read", "DV.DONG-Y"): ({"full_name", "phone", "permanent_address"}, True),
    },
    "portal_system": {("usage", "DVC.LICH-SU"): (set(), False)},
}
VERIFY_VALUES: dict[str, Any] = {
    "full_name": {"full_name": "Nguyễn Thị Lan"},
    "birth_date": {"birth_date": "1990-05-12"},
    "sex": {"sex": "female"},
    "permanent_address": {"permanent_address": {"commune_code": "31105"}},
}
QR = "031190012345||Nguyễn Thị Lan|12051990|Nữ|Lạch Tray, Hải Phòng|07062021"


def _expected(persona: str, service: str, purpose: str, field: str | None) -> str:
    grant = GRANTS[persona].get((service, purpose))
    if grant is None:
        return "access_denied"
    fields, needs_consent = grant
    if field is not None and field not in fields:
        return "field_not_granted"
    if needs_consent:
        return "consent_required"
    return "ok"


def _outcome(response: Any) -> str:
    if response.status_code in (200, 201, 202):
        return "ok"
    return str(response.json()["code"])


@pytest.mark.parametrize("persona", ["insurance_system", "bank_system", "portal_system"])
def test_it_grants_exactly_the_persona_matrix(
    persona: str, request: pytest.FixtureRequest, gateway: Gateway, person_lan: Person
) -> None:
    system: System = request.getfixturevalue(persona)
    seen: list[tuple[str, str, str | None, str, str]] = []
    for purpose in PURPOSES:
        for field in VERIFY_FIELDS:
            body = {"personal_id": "031190012345", **VERIFY_VALUES[field]}
            response = gateway.post(system, "verify/v1", body, purpose=purpose)
            seen.append(("verify", purpose, field, _outcome(response), _expected(persona, "verify", purpose, field)))
            batch = gateway.post(system, "batch-verify/v1", {"records": [body]}, purpose=purpose)
            seen.append(
                ("batch-verify", purpose, field, _outcome(batch), _expected(persona, "batch-verify", purpose, field))
            )
        for field in FIELDS:
            response = gateway.post(
                system, "read/v1", {"personal_id": "031190012345", "fields": [field]}, purpose=purpose
            )
            seen.append(("read", purpose, field, _outcome(response), _expected(persona, "read", purpose, field)))
        qr = gateway.post(system, "card-qr/v1", {"qr": QR}, purpose=purpose)
        seen.append(("card-qr", purpose, None, _outcome(qr), _expected(persona, "card-qr", purpose, None)))
        feed = gateway.get(system, "changes/v1", purpose=purpose)
        seen.append(("changes", purpose, None, _outcome(feed), _expected(persona, "changes", purpose, None)))
        usage = gateway.get(system, "usage/v1", purpose=purpose, params={"userCode": "031190012345"})
        seen.append(("usage", purpose, None, _outcome(usage), _expected(persona, "usage", purpose, None)))

    mismatches = [s for s in seen if s[3] != s[4]]
    assert mismatches == []
    granted = sum(1 for s in seen if s[3] == "ok")
    # insurance: verify 4 fields + batch 4 + read 5 + changes; bank: verify 3 + card QR (read needs
    # consent, none given); portal: usage.
    assert granted == {"insurance_system": 4 + 4 + 5 + 1, "bank_system": 3 + 1, "portal_system": 1}[persona]
    # One "ok" audit entry per granted response (a batch of one record: one entry).
    ok_entries = AuditEntry.objects.filter(actor_id=system.client_id, outcome="ok", action__startswith="exchange.")
    assert ok_entries.count() == granted
    refused = AuditEntry.objects.filter(actor_id=system.client_id, outcome="refused", action__startswith="exchange.")
    assert refused.count() == len(seen) - granted


def _verify(gateway: Gateway, system: System) -> Any:
    return gateway.post(system, "verify/v1", {"personal_id": "031190012345", "sex": "female"}, purpose="NH.KYC")


def test_it_applies_a_revocation_to_the_very_next_call(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    assert _verify(gateway, bank_system).status_code == 200
    grant = AccessGrant.objects.get(system=bank_system.system, service="verify", revoked_at__isnull=True)

    do_revoke_access(grant.pk, actor=ADMIN, reason="Hết hợp đồng / contract ended")
    response = _verify(gateway, bank_system)

    assert response.status_code == 403
    assert response.json()["code"] == "access_denied"


def test_it_applies_a_new_grant_to_the_very_next_call(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    body = {"personal_id": "031190012345", "permanent_address": {"commune_code": "31105"}}
    assert gateway.post(bank_system, "verify/v1", body, purpose="NH.KYC").json()["code"] == "field_not_granted"

    do_grant_access(
        bank_system.system,
        service="verify",
        purpose_code="NH.KYC",
        fields=["full_name", "birth_date", "sex", "permanent_address"],
        actor=ADMIN,
    )

    assert gateway.post(bank_system, "verify/v1", body, purpose="NH.KYC").status_code == 200


def test_it_refuses_after_the_grant_expires(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    do_grant_access(
        bank_system.system,
        service="verify",
        purpose_code="NH.KYC",
        fields=["sex"],
        valid_until=timezone.now() + dt.timedelta(hours=1),
        actor=ADMIN,
    )
    assert _verify(gateway, bank_system).status_code == 200
    # Expiry is checked against the clock on each call, without any policy change.
    from dancu.exchange import policy

    AccessGrant.objects.filter(system=bank_system.system, service="verify", revoked_at__isnull=True).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    policy.bump_policy()

    response = _verify(gateway, bank_system)
    assert response.status_code == 403
    assert response.json()["code"] == "access_denied"
    assert "expired" in response.json()["detail"]


def test_it_refuses_a_suspended_system(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    do_set_system_status(bank_system.system, "suspended", actor=ADMIN, reason="sự cố an ninh / security incident")

    response = _verify(gateway, bank_system)

    assert response.status_code == 403
    assert response.json()["code"] == "client_suspended"


def test_it_refuses_a_token_without_a_member_system(client: Client, bank_system: System, person_lan: Person) -> None:
    from dancu.exchange.tests.conftest import fetch_token, new_key, public_jwks
    from dancu.identity.actions.clients import do_register_client

    key = new_key()
    stray = do_register_client("Hệ thống lạ / stray system", "exchange", jwks=public_jwks(key), actor=ADMIN)
    token = fetch_token(client, stray.client.client_id, key)["access_token"]

    response = client.post(
        f"{BASE}/verify/v1",
        data={"personal_id": "031190012345"},
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {token}",
            "X-Road-Client": "VN/COM/0100112437/ekyc",
            "X-Road-UserId": "VN031000000042",
            "X-Road-Purpose": "NH.KYC",
        },
    )

    assert response.status_code == 403
    assert response.json()["code"] == "access_denied"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"xroad_client": "VN/GOV/BHXH-HP/tiep-nhan"}, 403, "client_mismatch"),
        ({"officer": None}, 400, "missing_header"),
        ({"officer": "031000000042"}, 400, "invalid_header"),
        ({"issue": "hồ sơ có dấu cách"}, 400, "invalid_header"),
    ],
)
def test_it_refuses_calls_with_bad_headers(
    gateway: Gateway, bank_system: System, person_lan: Person, change: dict[str, Any], status: int, code: str
) -> None:
    response = gateway.post(bank_system, "verify/v1", {"personal_id": "031190012345"}, purpose="NH.KYC", **change)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not AuditEntry.objects.filter(outcome="ok", action="exchange.verify").exists()
    assert AuditEntry.objects.filter(outcome="refused", action="exchange.verify").count() == 1


def test_it_refuses_a_missing_purpose_and_an_unknown_one(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    missing = gateway.post(bank_system, "verify/v1", {"personal_id": "031190012345"}, purpose=None)
    unknown = gateway.post(bank_system, "verify/v1", {"personal_id": "031190012345"}, purpose="KHONG.CO")

    assert (missing.status_code, missing.json()["code"], missing.json()["header"]) == (
        400,
        "missing_header",
        "X-Road-Purpose",
    )
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_purpose")


def test_it_refuses_a_retired_purpose(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    from dancu.exchange.policy import bump_policy

    Purpose.objects.filter(code="NH.KYC").update(active=False)
    bump_policy()

    assert _verify(gateway, bank_system).json()["code"] == "unknown_purpose"


def test_it_refuses_and_audits_an_unauthenticated_call(client: Client, person_lan: Person) -> None:
    response = client.post(
        f"{BASE}/verify/v1",
        data={"personal_id": "031190012345"},
        content_type="application/json",
        headers={"Authorization": "Bearer not-a-token", "X-Road-Client": "VN/COM/X/Y"},
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"
    [entry] = AuditEntry.objects.filter(action="exchange.verify")
    assert (entry.actor_kind, entry.outcome, entry.subject_personal_id) == ("anonymous", "refused", "")


def test_it_refuses_an_invalid_body_without_echoing_it(gateway: Gateway, bank_system: System) -> None:
    response = gateway.post(
        bank_system, "verify/v1", {"personal_id": "0311900123", "full_name": "Bí Mật"}, purpose="NH.KYC"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert "Bí Mật" not in response.content.decode()
    assert "0311900123" not in response.content.decode()


def test_it_stops_a_client_disabled_in_identity_at_the_next_call(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    from dancu.identity.actions.clients import do_disable_client
    from dancu.identity.models import Client as OAuthClient

    assert _verify(gateway, bank_system).status_code == 200  # the token is now remembered

    do_disable_client(
        OAuthClient.objects.get(client_id=bank_system.client_id), actor=ADMIN, reason="khóa bị lộ / key leaked"
    )
    response = _verify(gateway, bank_system)

    assert response.status_code == 403
    assert response.json()["code"] == "client_suspended"


def test_it_refuses_a_token_revoked_at_the_provider_at_the_next_call(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    from dancu.exchange.tests.conftest import client_assertion

    assert _verify(gateway, bank_system).status_code == 200  # the token is now remembered
    revoked = gateway.client.post(
        "/oidc/revoke",
        {
            "token": bank_system.token,
            "token_type_hint": "access_token",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(bank_system.client_id, bank_system.key),
        },
    )
    assert revoked.status_code == 200

    response = _verify(gateway, bank_system)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer ")
    refusal = AuditEntry.objects.filter(action="exchange.verify").order_by("-id").first()
    assert refusal is not None
    assert (refusal.outcome, refusal.actor_id, refusal.subject_personal_id) == ("refused", bank_system.client_id, "")
