"""Demo accounts and the ``dancu client`` / ``dancu account`` commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from joserfc.jwk import RSAKey
from typer.testing import CliRunner

from dancu.core.audit import Actor
from dancu.core.models import AuditEntry
from dancu.identity.actions import do_create_admin, do_create_officer
from dancu.identity.cli import account_app, client_app
from dancu.identity.demo import CITIZEN_PASSWORD, create_demo_accounts
from dancu.identity.models import Client, ClientAuthMethod, EidLevel, TotpDevice, User, digest
from dancu.identity.tests.flows import COMMUNE_A, make_person
from dancu.registry.models import IdentityCard, Sex

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_it_creates_the_demo_accounts_once() -> None:
    make_person("031085000111", "Lê Văn Hùng", birth_date=dt.date(1985, 1, 5), sex=Sex.MALE, phone="0911000111")
    make_person("031188000222", "Đỗ Thị Mai", birth_date=dt.date(1988, 4, 9), sex=Sex.FEMALE, phone="0911000222")
    IdentityCard.objects.all().delete()
    first = create_demo_accounts()
    second = create_demo_accounts()
    assert first == second
    assert [(c["username"], c["level"]) for c in first["citizens"]] == [("031085000111", 2), ("031188000222", 1)]
    assert first["citizens"][0]["password"] == CITIZEN_PASSWORD
    roles = [o["role"] for o in first["officers"]]
    assert roles == ["civil_status", "police_registration", "social_insurance", "department_admin", "leader", "auditor"]
    police = User.objects.get(username="demo.congan")
    assert police.commune_codes == [COMMUNE_A]
    assert first["officers"][1]["totp_secret"] == TotpDevice.objects.get(user=police).secret
    assert first["admin"]["username"] == "demo.admin"
    assert [o["organisation"] for o in first["officers"]] == ["", "", "BHXH-HP", "BHXH-HP", "", ""]
    assert User.objects.get(username="031085000111").eid_level == EidLevel.LEVEL2
    assert User.objects.count() == 2 + 6 + 1
    # The level-1 citizen holds a current card the demo police officer can check.
    card = IdentityCard.objects.get(person__personal_id="031188000222", is_current=True)
    assert (card.number, card.issued_on) == ("031188000222", dt.date(2021, 7, 1))


def test_it_registers_a_relying_party_from_the_command_line(tmp_path: Path) -> None:
    key = RSAKey.generate_key(2048, auto_kid=True)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    result = runner.invoke(
        client_app,
        [
            "add",
            "--name",
            "Bệnh viện",
            "--kind",
            "oidc",
            "--redirect-uri",
            "https://bv.example/cb",
            "--jwks",
            str(jwks_file),
            "--min-level",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"client_id", "name", "kind", "token_endpoint_auth_method", "scopes", "redirect_uris"}
    client = Client.objects.get(client_id=body["client_id"])
    assert client.auth_method == ClientAuthMethod.PRIVATE_KEY_JWT
    assert client.min_level == 2
    assert client.secret_hash == ""
    assert AuditEntry.objects.filter(action="identity.client_registered", object_id=body["client_id"]).count() == 1


def test_it_prints_a_secret_once_and_stores_only_its_digest() -> None:
    result = runner.invoke(client_app, ["add", "--name", "BHXH", "--kind", "exchange", "--organisation", "VN/GOV/BHXH"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    client = Client.objects.get(client_id=body["client_id"])
    assert client.secret_hash == digest(body["client_secret"])
    assert body["client_secret"] not in json.dumps(list(AuditEntry.objects.values("details")))


def test_it_refuses_an_oidc_client_without_redirect_uri() -> None:
    result = runner.invoke(client_app, ["add", "--name", "X", "--kind", "oidc"])
    assert result.exit_code == 2
    assert "redirect URI" in result.output
    assert Client.objects.count() == 0


def test_it_refuses_a_jwks_with_private_keys(tmp_path: Path) -> None:
    key = RSAKey.generate_key(2048)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=True)]}))
    result = runner.invoke(client_app, ["add", "--name", "X", "--kind", "exchange", "--jwks", str(jwks_file)])
    assert result.exit_code == 2
    assert "public keys only" in result.output
    assert Client.objects.count() == 0


def test_it_rotates_signing_keys_from_the_command_line() -> None:
    before = json.loads(runner.invoke(account_app, ["keys"]).output)
    result = runner.invoke(account_app, ["rotate-keys"])
    assert result.exit_code == 0, result.output
    after = json.loads(result.output)
    states = {k["kid"]: k["state"] for k in after["keys"]}
    assert states[before[0]["kid"]] == "retired"
    assert states[after["new_kid"]] == "active"
    assert all(k["published"] for k in after["keys"])


def test_it_prints_the_public_key_to_register_upstream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = RSAKey.generate_key(2048)
    pem = tmp_path / "upstream-client.pem"
    pem.write_bytes(key.as_pem(private=True))
    monkeypatch.setenv("DANCU_UPSTREAM_ISSUER", "https://vneid.example")
    monkeypatch.setenv("DANCU_UPSTREAM_CLIENT_ID", "hai-phong")
    monkeypatch.setenv("DANCU_UPSTREAM_PRIVATE_KEY_FILE", str(pem))
    result = runner.invoke(account_app, ["upstream-jwks"])
    assert result.exit_code == 0, result.output
    public = json.loads(result.output)["keys"][0]
    assert public["kid"] == key.thumbprint()
    assert public["n"] == key.as_dict(private=False)["n"]
    assert "d" not in public


def test_it_creates_an_officer_of_an_agency_from_the_command_line() -> None:
    result = runner.invoke(
        account_app,
        [
            "create-officer",
            "--username",
            "bhxh.lan",
            "--name",
            "Nguyễn Thị Lan",
            "--role",
            "social_insurance",
            "--province-wide",
            "--organisation",
            " BHXH-HP ",
            "--password",
            "mat-khau-rat-dai-123",
        ],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["organisation"] == "BHXH-HP"
    assert User.objects.get(username="bhxh.lan").organisation == "BHXH-HP"
    created = AuditEntry.objects.get(action="identity.officer_created")
    assert created.details["organisation"] == "BHXH-HP"


def _officer(organisation: str = "") -> User:
    user, _ = do_create_officer(
        "bhxh.lan",
        display_name="Nguyễn Thị Lan",
        role="social_insurance",
        password="mat-khau-rat-dai-123",
        province_wide=True,
        organisation=organisation,
        actor=Actor.system("test"),
    )
    return user


def test_it_refuses_an_agency_code_no_member_organisation_has() -> None:
    _officer("SO-YTE")

    result = runner.invoke(account_app, ["set-organisation", "bhxh.lan", "BHXH-XX"])

    assert result.exit_code == 2
    assert result.output.strip() == (
        "Không có thành viên kết nối với mã cơ quan 'BHXH-XX' / No member organisation has the organisation code 'BHXH-XX'"
    )
    assert User.objects.get(username="bhxh.lan").organisation == "SO-YTE"
    assert not AuditEntry.objects.filter(action="identity.officer_organisation_changed").exists()


def test_it_refuses_to_give_an_agency_to_an_account_that_is_not_an_officer() -> None:
    do_create_admin("quantri", password="mat-khau-rat-dai-123", actor=Actor.system("test"))

    result = runner.invoke(account_app, ["set-organisation", "quantri", "BHXH-HP"])
    missing = runner.invoke(account_app, ["set-organisation", "khong.co", "BHXH-HP"])

    assert (result.exit_code, result.output.strip()) == (
        2,
        "Tài khoản không phải cán bộ / The account is not an officer's: quantri",
    )
    assert (missing.exit_code, missing.output.strip()) == (2, "Không có tài khoản / No such account: khong.co")
    assert User.objects.get(username="quantri").organisation == ""
    assert not AuditEntry.objects.filter(action="identity.officer_organisation_changed").exists()
