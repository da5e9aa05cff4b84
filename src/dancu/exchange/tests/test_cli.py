"""``dancu exchange``: the operator's commands, run in process against the test database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dancu.exchange.cli import exchange_app
from dancu.exchange.models import AccessGrant, MemberSystem, OnboardingRequest
from dancu.exchange.tests.conftest import System, new_key, public_jwks

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _run(*args: str) -> Any:
    result = runner.invoke(exchange_app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_it_files_and_refuses_a_request(tmp_path: Path) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks(new_key())), encoding="utf-8")

    filed = _run(
        "request", "--member-class", "GOV", "--member-code", "THUE-HP", "--member-name", "Thuế thành phố Hải Phòng",
        "--system-code", "tms", "--system-name", "Quản lý thuế", "--jwks", str(jwks), "--contact", "it@thue.example",
        "--access", "read:THUE.MA-SO:full_name,permanent_address", "--access", "verify:THUE.MA-SO:full_name:consent",
    )  # fmt: skip
    assert filed == {"request_id": OnboardingRequest.objects.get().pk, "status": "pending"}
    assert OnboardingRequest.objects.get().requested_access == [
        {
            "service": "read",
            "purpose": "THUE.MA-SO",
            "fields": ["full_name", "permanent_address"],
            "requires_consent": False,
        },
        {"service": "verify", "purpose": "THUE.MA-SO", "fields": ["full_name"], "requires_consent": True},
    ]

    refused = runner.invoke(exchange_app, ["refuse", str(filed["request_id"]), "--reason", "ngắn"])
    assert refused.exit_code == 1
    _run("refuse", str(filed["request_id"]), "--reason", "Chưa có văn bản thỏa thuận / no agreement yet")
    assert OnboardingRequest.objects.get().status == "refused"
    assert not MemberSystem.objects.exists()


def test_it_grants_lists_limits_and_revokes(bank_system: System) -> None:
    granted = _run(
        "grant",
        "--client-id",
        bank_system.client_id,
        "--access",
        "verify:YT.KHAM-BENH:full_name,sex",
        "--until",
        "2099-12-31",
    )
    grant = AccessGrant.objects.get(pk=granted["grant_id"])
    assert (grant.service, grant.purpose.code, grant.fields, grant.valid_until.year) == (
        "verify",
        "YT.KHAM-BENH",
        ["full_name", "sex"],
        2099,
    )
    listed = _run("grants", "--client-id", bank_system.client_id)
    assert [(g["service"], g["purpose"]) for g in listed] == [
        ("verify", "NH.KYC"),
        ("card-qr", "NH.KYC"),
        ("read", "DV.DONG-Y"),
        ("verify", "YT.KHAM-BENH"),
    ]
    _run("limits", "--client-id", bank_system.client_id, "--per-minute", "120", "--per-day", "5000")
    bank_system.system.refresh_from_db()
    assert (bank_system.system.rate_per_minute, bank_system.system.quota_per_day) == (120, 5000)

    _run("revoke", str(grant.pk), "--reason", "thử nghiệm kết thúc / pilot over")

    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert "YT.KHAM-BENH" not in {g["purpose"] for g in _run("grants")}


def test_it_lists_the_purpose_catalogue_and_delivers_nothing_when_nothing_is_due() -> None:
    codes = [p["code"] for p in _run("purposes")]

    assert codes == sorted(codes)
    assert {"BHYT.CAP-THE", "NH.KYC", "DV.DONG-Y", "DVC.LICH-SU"} <= set(codes)
    assert _run("deliver") == {"delivered": 0}


def test_it_refuses_an_unknown_client_id() -> None:
    result = runner.invoke(exchange_app, ["grant", "--client-id", "nobody", "--access", "verify:NH.KYC:sex"])

    assert result.exit_code == 1
    assert "no system with client_id nobody" in result.output


def test_it_gives_an_officer_the_agency_of_a_member_organisation(insurance_system: System) -> None:
    """``dancu account set-organisation`` takes only a member code the exchange knows."""
    from dancu.core.audit import Actor
    from dancu.core.models import AuditEntry
    from dancu.identity.actions import do_create_officer
    from dancu.identity.cli import account_app
    from dancu.identity.models import User

    officer, _ = do_create_officer(
        "bhxh.lan",
        display_name="Nguyễn Thị Lan",
        role="social_insurance",
        password="mat-khau-rat-dai-123",
        province_wide=True,
        actor=Actor.system("test"),
    )

    first = runner.invoke(account_app, ["set-organisation", "bhxh.lan", " BHXH-HP "])
    again = runner.invoke(account_app, ["set-organisation", "bhxh.lan", "BHXH-HP"])

    assert (first.exit_code, again.exit_code) == (0, 0), first.output + again.output
    assert json.loads(first.output) == {
        "username": "bhxh.lan",
        "organisation": "BHXH-HP",
        "previous": "",
        "changed": True,
    }
    assert json.loads(again.output)["changed"] is False
    assert User.objects.get(pk=officer.pk).organisation == "BHXH-HP"
    [entry] = AuditEntry.objects.filter(action="identity.officer_organisation_changed")
    assert (entry.object_id, entry.actor_id, entry.fields) == (str(officer.pk), "dancu-cli", ["organisation"])
    assert entry.details == {"username": "bhxh.lan", "old": "", "new": "BHXH-HP"}
