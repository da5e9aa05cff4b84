"""RFC 7636 (PKCE), with RFC 9700 §2.1.1: PKCE is required of every client, S256 only."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client as HttpClient

from dancu.identity.models import AuthorizationCode, Token, User
from dancu.identity.tests.flows import RelyingParty, authorize_params, exchange_code, get_code, log_in, pkce_pair

pytestmark = pytest.mark.django_db


def _error_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


def test_it_refuses_an_authorization_request_without_code_challenge(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    params = authorize_params(portal_rp, "", state="xyz")
    response = client.get("/oidc/authorize?" + urlencode(params))
    assert response.status_code == 302
    query = _error_of(response["Location"])
    assert query["error"] == ["invalid_request"]
    assert query["state"] == ["xyz"]
    assert "PKCE is required" in query["error_description"][0]
    assert AuthorizationCode.objects.count() == 0


def test_it_refuses_the_plain_method(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    log_in(client, citizen_minh)
    verifier = "x" * 50
    params = authorize_params(portal_rp, verifier, code_challenge_method="plain")
    response = client.get("/oidc/authorize?" + urlencode(params))
    assert _error_of(response["Location"])["error"] == ["invalid_request"]
    assert AuthorizationCode.objects.count() == 0


def test_it_refuses_a_missing_method_rather_than_assuming_plain(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    params = authorize_params(portal_rp, challenge, code_challenge_method="")
    response = client.get("/oidc/authorize?" + urlencode(params))
    assert _error_of(response["Location"])["error"] == ["invalid_request"]


def test_it_refuses_a_token_request_without_verifier(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    response = exchange_code(client, portal_rp, code, "")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert Token.objects.count() == 0


def test_it_refuses_a_wrong_verifier(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    response = exchange_code(client, portal_rp, code, other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert Token.objects.count() == 0
