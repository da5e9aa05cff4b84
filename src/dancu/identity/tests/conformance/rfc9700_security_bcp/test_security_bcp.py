"""RFC 9700 (OAuth 2.0 Security Best Current Practice) and RFC 9207 (issuer in the response)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client as HttpClient

from dancu.core.audit import Actor
from dancu.core.models import AuditEntry
from dancu.identity.actions import do_lock_account
from dancu.identity.models import AuthorizationCode, LockReason, Token, User
from dancu.identity.oidc import tokens as jwts
from dancu.identity.queries import authenticate_bearer, check_bearer
from dancu.identity.tests.flows import (
    ISSUER,
    RelyingParty,
    authorize_params,
    exchange_code,
    get_code,
    log_in,
    pkce_pair,
)

pytestmark = pytest.mark.django_db


def _authorize(client: HttpClient, params: dict[str, str]) -> Any:
    return client.get("/oidc/authorize?" + urlencode(params))


# --- §4.1 redirect URIs: exact matching --------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://attacker.example/callback",
        "https://rp.example/callback/../evil",
        "https://rp.example/callback?next=https://attacker.example",
        "https://rp.example/callbacks",
        "https://RP.example/callback",
        "http://rp.example/callback",
    ],
)
def test_it_refuses_a_redirect_uri_that_is_not_registered_exactly(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty, redirect_uri: str
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge, redirect_uri=redirect_uri))
    # Never redirect to an unverified URI: the error is shown here instead.
    assert response.status_code == 400
    assert "Location" not in response
    assert "invalid_request" in response.content.decode()
    assert AuthorizationCode.objects.count() == 0


def test_it_refuses_a_token_request_whose_redirect_uri_differs(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    response = exchange_code(client, portal_rp, code, verifier, redirect_uri="https://rp.example/other")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert Token.objects.count() == 0


# --- §4.1.1 / §2.1.2: the implicit grant and hybrid flows ----------------------------------------


@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token", "code token", "id_token token"])
def test_it_refuses_implicit_and_hybrid_response_types(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty, response_type: str
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge, response_type=response_type, state="st"))
    assert response.status_code == 302
    location = response["Location"]
    assert "#" not in location
    query = parse_qs(urlsplit(location).query)
    assert query["error"] == ["unsupported_response_type"]
    assert query["state"] == ["st"]
    assert AuthorizationCode.objects.count() == 0


# --- RFC 9207: mix-up defence --------------------------------------------------------------------


def test_it_names_the_issuer_in_success_and_error_responses(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    _, query = get_code(client, portal_rp, challenge)
    assert query["iss"] == [ISSUER]
    error = _authorize(client, authorize_params(portal_rp, challenge, response_type="token"))
    assert parse_qs(urlsplit(error["Location"]).query)["iss"] == [ISSUER]


# --- §4.2.4 / RFC 6749 §4.1.2: codes are single use; a replay revokes what the code issued ------


def test_it_refuses_a_replayed_code_and_revokes_its_tokens(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    first = exchange_code(client, portal_rp, code, verifier)
    assert first.status_code == 200
    tokens = first.json()
    assert authenticate_bearer(tokens["access_token"]) is not None
    replay = exchange_code(client, portal_rp, code, verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert authenticate_bearer(tokens["access_token"]) is None
    refresh = client.post(
        "/oidc/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **portal_rp.auth_form()},
    )
    assert refresh.json()["error"] == "invalid_grant"
    assert AuditEntry.objects.filter(action="identity.code_replayed").count() == 1
    assert Token.objects.count() == 1


def test_it_refuses_an_expired_code(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    log_in(client, citizen_minh)
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    AuthorizationCode.objects.update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    response = exchange_code(client, portal_rp, code, verifier)
    assert response.json()["error"] == "invalid_grant"
    assert Token.objects.count() == 0


def test_it_refuses_a_code_redeemed_by_another_client(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty, hospital_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": portal_rp.client.redirect_uris[0],
        "code_verifier": verifier,
        **hospital_rp.auth_form(),
    }
    response = client.post("/oidc/token", form)
    assert response.json()["error"] == "invalid_grant"
    assert Token.objects.count() == 0


# --- §4.14.2: refresh-token rotation with reuse detection ----------------------------------------


def _refresh(client: HttpClient, rp: RelyingParty, refresh_token: str) -> Any:
    return client.post("/oidc/token", {"grant_type": "refresh_token", "refresh_token": refresh_token, **rp.auth_form()})


def test_it_revokes_the_family_when_a_rotated_refresh_token_comes_back(
    client: HttpClient, level2_tokens: dict[str, Any], portal_rp: RelyingParty
) -> None:
    old = level2_tokens["refresh_token"]
    rotated = _refresh(client, portal_rp, old).json()
    assert authenticate_bearer(rotated["access_token"]) is not None
    reuse = _refresh(client, portal_rp, old)
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    # The whole family is gone: the rotated tokens too.
    assert authenticate_bearer(rotated["access_token"]) is None
    assert _refresh(client, portal_rp, rotated["refresh_token"]).json()["error"] == "invalid_grant"
    assert Token.objects.filter(revoke_reason="refresh_reuse").count() == 2


def test_it_revokes_only_the_reused_family(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty, level2_tokens: dict[str, Any]
) -> None:
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    other_login = exchange_code(client, portal_rp, code, verifier).json()
    _refresh(client, portal_rp, level2_tokens["refresh_token"])
    _refresh(client, portal_rp, level2_tokens["refresh_token"])
    assert authenticate_bearer(other_login["access_token"]) is not None


def test_it_refuses_a_refresh_token_presented_by_another_client(
    client: HttpClient, level2_tokens: dict[str, Any], hospital_rp: RelyingParty, portal_rp: RelyingParty
) -> None:
    stolen = _refresh(client, hospital_rp, level2_tokens["refresh_token"])
    assert stolen.json()["error"] == "invalid_grant"
    # The real client's token was not spent by the attempt.
    assert _refresh(client, portal_rp, level2_tokens["refresh_token"]).status_code == 200


# --- expired and locked ------------------------------------------------------------------------


def test_it_refuses_an_expired_access_token(
    client: HttpClient, level2_tokens: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    later = time.time() + 601
    monkeypatch.setattr(jwts.time, "time", lambda: later)
    check = check_bearer(level2_tokens["access_token"])
    assert check.principal is None
    assert check.error == "invalid_token"
    assert check.description == "expired"
    response = client.get("/oidc/userinfo", HTTP_AUTHORIZATION=f"Bearer {level2_tokens['access_token']}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_it_stops_tokens_of_a_locked_account(
    client: HttpClient, level2_tokens: dict[str, Any], citizen_lan: User, portal_rp: RelyingParty
) -> None:
    do_lock_account(citizen_lan, reason=LockReason.AUTHORITY, actor=Actor.system("tests"), note="court order")
    assert authenticate_bearer(level2_tokens["access_token"]) is None
    assert _refresh(client, portal_rp, level2_tokens["refresh_token"]).json()["error"] == "invalid_grant"
    # And the browser session is gone.
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge))
    assert response.status_code == 200
    assert 'action="/dang-nhap/"' in response.content.decode()


def test_it_refuses_login_to_a_locked_account(client: HttpClient, citizen_minh: User) -> None:
    do_lock_account(citizen_minh, reason=LockReason.AUTHORITY, actor=Actor.system("tests"), note="court order")
    response = client.post(
        "/dang-nhap/", {"username": citizen_minh.username, "password": "hoa sen trong dam nuoc trong"}
    )
    assert response.status_code == 403
    assert "bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session
