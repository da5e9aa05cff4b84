"""RFC 7009: a client revokes its tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from dancu.identity.queries import authenticate_bearer
from dancu.identity.tests.flows import RelyingParty

pytestmark = pytest.mark.django_db


def test_it_revokes_a_refresh_token_and_its_access_tokens(
    client: HttpClient, level2_tokens: dict[str, Any], portal_rp: RelyingParty
) -> None:
    response = client.post(
        "/oidc/revoke",
        {"token": level2_tokens["refresh_token"], "token_type_hint": "refresh_token", **portal_rp.auth_form()},
    )
    assert response.status_code == 200
    assert authenticate_bearer(level2_tokens["access_token"]) is None


def test_it_revokes_an_access_token(client: HttpClient, level2_tokens: dict[str, Any], portal_rp: RelyingParty) -> None:
    response = client.post("/oidc/revoke", {"token": level2_tokens["access_token"], **portal_rp.auth_form()})
    assert response.status_code == 200
    assert authenticate_bearer(level2_tokens["access_token"]) is None


def test_it_answers_200_for_an_unknown_token(client: HttpClient, portal_rp: RelyingParty) -> None:
    response = client.post("/oidc/revoke", {"token": "not-a-token", **portal_rp.auth_form()})
    assert response.status_code == 200


def test_it_refuses_to_revoke_another_clients_token(
    client: HttpClient, level2_tokens: dict[str, Any], hospital_rp: RelyingParty
) -> None:
    response = client.post("/oidc/revoke", {"token": level2_tokens["refresh_token"], **hospital_rp.auth_form()})
    assert response.status_code == 400
    assert authenticate_bearer(level2_tokens["access_token"]) is not None


def test_it_requires_client_authentication(client: HttpClient, level2_tokens: dict[str, Any]) -> None:
    response = client.post("/oidc/revoke", {"token": level2_tokens["refresh_token"]})
    assert response.status_code in (400, 401)
    assert authenticate_bearer(level2_tokens["access_token"]) is not None
