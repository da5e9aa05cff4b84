"""OpenID Connect RP-Initiated Logout 1.0."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient

from dancu.identity.models import LoginSession
from dancu.identity.queries import authenticate_bearer
from dancu.identity.tests.flows import RelyingParty

pytestmark = pytest.mark.django_db


def test_it_logs_out_and_returns_to_a_registered_uri_with_an_id_token_hint(
    client: HttpClient, level2_tokens: dict[str, Any], portal_rp: RelyingParty
) -> None:
    params = {
        "id_token_hint": level2_tokens["id_token"],
        "post_logout_redirect_uri": "https://rp.example/logged-out",
        "state": "bye",
    }
    response = client.get("/oidc/logout?" + urlencode(params))
    assert response.status_code == 302
    assert response["Location"] == "https://rp.example/logged-out?state=bye"
    assert "_auth_user_id" not in client.session
    assert LoginSession.objects.get().end_reason == "rp_logout"
    # Tokens issued through that session stop working.
    assert authenticate_bearer(level2_tokens["access_token"]) is None


def test_it_never_redirects_to_an_unregistered_uri(
    client: HttpClient, level2_tokens: dict[str, Any], portal_rp: RelyingParty
) -> None:
    params = {"id_token_hint": level2_tokens["id_token"], "post_logout_redirect_uri": "https://attacker.example/"}
    response = client.get("/oidc/logout?" + urlencode(params))
    assert response.status_code == 200
    assert "Location" not in response
    assert "_auth_user_id" not in client.session


def test_it_asks_before_logging_out_without_an_id_token_hint(
    client: HttpClient, level2_tokens: dict[str, Any], portal_rp: RelyingParty
) -> None:
    response = client.get("/oidc/logout?" + urlencode({"client_id": portal_rp.client.client_id}))
    assert response.status_code == 200
    assert b'name="confirm"' in response.content
    assert "_auth_user_id" in client.session
    confirmed = client.post("/oidc/logout", {"client_id": portal_rp.client.client_id, "confirm": "yes"})
    assert confirmed.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_id_token_hint_it_did_not_issue(client: HttpClient, level2_tokens: dict[str, Any]) -> None:
    forged = level2_tokens["id_token"][:-4] + "AAAA"
    response = client.get("/oidc/logout?" + urlencode({"id_token_hint": forged}))
    assert response.status_code == 400
    assert "_auth_user_id" in client.session
