"""The authorization code flow end to end with Django's test client (the browser test drives
the same pages in Chromium)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from joserfc import jwt
from joserfc.jwk import KeySet

from dancu.core.models import AuditEntry
from dancu.identity.levels import ACR_LEVEL1
from dancu.identity.models import Token, User
from dancu.identity.oidc.tokens import pairwise_subject
from dancu.identity.queries import CitizenPrincipal, MachinePrincipal, authenticate_bearer
from dancu.identity.tests.flows import ISSUER, Machine, RelyingParty, exchange_code, get_code, log_in, pkce_pair

pytestmark = pytest.mark.django_db


def _jwks(client: HttpClient) -> KeySet:
    return KeySet.import_key_set(client.get("/oidc/jwks").json())


def test_it_publishes_discovery_metadata(client: HttpClient) -> None:
    body = client.get("/.well-known/openid-configuration").json()
    assert body["issuer"] == ISSUER
    assert body["token_endpoint"] == ISSUER + "/oidc/token"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["response_types_supported"] == ["code"]
    assert body["token_endpoint_auth_methods_supported"] == ["private_key_jwt", "client_secret_basic"]
    assert body["acr_values_supported"] == ["urn:dancu:eid:level1", "urn:dancu:eid:level2"]
    assert body["authorization_response_iss_parameter_supported"] is True


def test_it_runs_the_code_flow_with_pkce_and_private_key_jwt(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_lan)
    verifier, challenge = pkce_pair()
    code, query = get_code(client, portal_rp, challenge, nonce="n-123", state="s-9")
    assert query["state"] == ["s-9"]
    assert query["iss"] == [ISSUER]
    response = exchange_code(client, portal_rp, code, verifier)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "openid profile birthdate"
    id_token = jwt.decode(body["id_token"], _jwks(client), algorithms=["RS256"])
    claims = id_token.claims
    assert claims["iss"] == ISSUER
    assert claims["aud"] == [portal_rp.client.client_id]
    assert claims["nonce"] == "n-123"
    # A password alone reaches level 1 even for a level-2 account.
    assert claims["acr"] == ACR_LEVEL1
    assert claims["amr"] == ["pwd"]
    assert claims["sub"] == pairwise_subject(citizen_lan, portal_rp.client)
    assert "name" not in claims
    access = jwt.decode(body["access_token"], _jwks(client), algorithms=["RS256"])
    assert access.header["typ"] == "at+jwt"
    assert set(access.claims) == {"iss", "aud", "iat", "exp", "jti", "client_id", "scope", "sub", "acr", "auth_time"}
    userinfo = client.get("/oidc/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json()
    assert userinfo == {
        "sub": claims["sub"],
        "name": "Phạm Thị Lan",
        "family_name": "Phạm",
        "middle_name": "Thị",
        "given_name": "Lan",
        "gender": "female",
        "birthdate": "1990-03-14",
    }
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert "identity.login" in actions
    assert "identity.consent_granted" in actions
    assert "identity.token_issued" in actions
    assert "identity.userinfo_read" in actions


def test_it_rotates_refresh_tokens(client: HttpClient, level2_tokens: dict[str, Any], portal_rp: RelyingParty) -> None:
    form = {"grant_type": "refresh_token", "refresh_token": level2_tokens["refresh_token"], **portal_rp.auth_form()}
    response = client.post("/oidc/token", form)
    assert response.status_code == 200, response.content
    second = response.json()
    assert second["refresh_token"] != level2_tokens["refresh_token"]
    assert authenticate_bearer(second["access_token"]) is not None


def test_it_grants_client_credentials_with_a_secret(client: HttpClient, insurance_system: Machine) -> None:
    basic = base64.b64encode(f"{insurance_system.client.client_id}:{insurance_system.secret}".encode()).decode()
    response = client.post("/oidc/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == "exchange"
    assert "refresh_token" not in body
    principal = authenticate_bearer(body["access_token"], required_scope="exchange")
    assert isinstance(principal, MachinePrincipal)
    assert principal.client_id == insurance_system.client.client_id
    assert principal.organisation == "VN/GOV/BHXH/CSDL"
    assert principal.scopes == frozenset({"exchange"})
    assert authenticate_bearer(body["access_token"], required_scope="openid") is None


def test_it_names_the_citizen_behind_a_relying_party_token(level2_tokens: dict[str, Any], citizen_lan: User) -> None:
    principal = authenticate_bearer(level2_tokens["access_token"])
    assert isinstance(principal, CitizenPrincipal)
    assert principal.personal_id == "031190001234"
    assert principal.level == 1
    assert principal.claims == frozenset(
        {"sub", "name", "family_name", "middle_name", "given_name", "gender", "birthdate"}
    )
    assert Token.objects.filter(user=citizen_lan).count() == 1


def test_it_never_writes_a_secret_to_the_audit_log(
    client: HttpClient, level2_tokens: dict[str, Any], insurance_system: Machine
) -> None:
    basic = base64.b64encode(f"{insurance_system.client.client_id}:{insurance_system.secret}".encode()).decode()
    machine = client.post(
        "/oidc/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    ).json()
    logged = json.dumps(list(AuditEntry.objects.values()), default=str)
    secrets = [
        level2_tokens["access_token"],
        level2_tokens["refresh_token"],
        level2_tokens["id_token"],
        machine["access_token"],
        insurance_system.secret,
        "hoa sen trong dam nuoc trong",
    ]
    assert [s for s in secrets if s in logged] == []
    assert AuditEntry.objects.filter(action="identity.token_issued").count() == 2
