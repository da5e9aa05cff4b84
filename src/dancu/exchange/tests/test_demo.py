"""The demo gateway members: onboarded once, keys outside the repository, usable as printed."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.test import Client

from dancu.exchange.demo import DEMO_SYSTEMS, client_assertion, create_demo_exchange, load_key
from dancu.exchange.models import AccessGrant, MemberSystem
from dancu.exchange.tests.conftest import BASE, make_person
from dancu.identity.oidc.server import endpoint_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tmp_path: Path, settings: LazySettings) -> Path:
    settings.DANCU_HOME = tmp_path
    make_person("031190012345", "Nguyễn Thị Lan", dt.date(1990, 5, 12), "female")
    return tmp_path


def _token(client: Client, entry: dict[str, str]) -> str:
    response = client.post(
        "/oidc/token",
        {
            "grant_type": "client_credentials",
            "scope": "exchange",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(
                entry["client_id"], load_key(Path(entry["key_file"])), endpoint_url("token_endpoint")
            ),
        },
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def _call(client: Client, entry: dict[str, str], service: str, purpose: str, body: dict[str, object]) -> object:
    return client.post(
        f"{BASE}/{service}/v1",
        data=json.dumps(body),
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {_token(client, entry)}",
            "X-Road-Client": entry["system"],
            "X-Road-UserId": "VN031000000042",
            "X-Road-Purpose": purpose,
        },
    )


def test_it_onboards_a_hospital_and_social_insurance_once(home: Path) -> None:
    first = create_demo_exchange()
    again = create_demo_exchange()

    assert first == again
    assert [e["system"] for e in first] == ["VN/GOV/BV-VIETTIEP/his", "VN/GOV/BHXH-HP/tiep-nhan"]
    assert MemberSystem.objects.count() == 2
    assert AccessGrant.objects.filter(revoked_at__isnull=True).count() == sum(len(s.grants) for s in DEMO_SYSTEMS)
    for entry in first:
        key_file = Path(entry["key_file"])
        assert key_file.parent == home / "demo" / "exchange"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert entry["get_token"] == (
            f"TOKEN=$(dancu exchange token --client-id {entry['client_id']} --key {key_file})"
        )
        assert '"personal_id": "031190012345"' in entry["call"]


def test_its_systems_call_the_gateway_within_their_policy(client: Client, home: Path) -> None:
    hospital, insurance = create_demo_exchange()
    claim = {"personal_id": "031190012345", "full_name": "Nguyễn Thị Lan", "birth_date": "1990-05-12", "sex": "female"}

    verified = _call(client, hospital, "verify", "YT.KHAM-BENH", claim)
    refused = _call(client, hospital, "read", "YT.KHAM-BENH", {"personal_id": "031190012345"})
    read = _call(client, insurance, "read", "BHYT.CAP-THE", {"personal_id": "031190012345", "fields": ["full_name"]})

    assert verified.status_code == 200  # type: ignore[attr-defined]
    assert verified.json()["answer"]["status"] is True  # type: ignore[attr-defined]
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert read.status_code == 200  # type: ignore[attr-defined]
    assert read.json()["data"]["full_name"] == "Nguyễn Thị Lan"  # type: ignore[attr-defined]


def test_it_says_when_a_key_is_gone(home: Path) -> None:
    create_demo_exchange()
    Path(create_demo_exchange()[0]["key_file"]).unlink()

    hospital = create_demo_exchange()[0]

    assert "get_token" not in hospital
    assert "re-create the demo database" in hospital["note"]
