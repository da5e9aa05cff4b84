"""RFC 6749: the token endpoint's client authentication and grant rules (client credentials)."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient

from dancu.identity.models import Token
from dancu.identity.tests.flows import Machine, RelyingParty

pytestmark = pytest.mark.django_db


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_it_refuses_a_wrong_client_secret_with_401(client: HttpClient, insurance_system: Machine) -> None:
    response = client.post(
        "/oidc/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=_basic(insurance_system.client.client_id, "wrong"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert Token.objects.count() == 0


def test_it_refuses_a_secret_in_the_form_body(client: HttpClient, insurance_system: Machine) -> None:
    # Only client_secret_basic is offered: a secret in the body (client_secret_post) is refused.
    response = client.post(
        "/oidc/token",
        {
            "grant_type": "client_credentials",
            "client_id": insurance_system.client.client_id,
            "client_secret": insurance_system.secret,
        },
    )
    assert response.status_code == 401
    assert Token.objects.count() == 0


def test_it_refuses_parameters_in_the_query_string(client: HttpClient, insurance_system: Machine) -> None:
    response = client.post(
        "/oidc/token?" + urlencode({"grant_type": "client_credentials"}),
        {},
        HTTP_AUTHORIZATION=_basic(insurance_system.client.client_id, insurance_system.secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_it_refuses_client_credentials_to_a_relying_party(client: HttpClient, portal_rp: RelyingParty) -> None:
    response = client.post("/oidc/token", {"grant_type": "client_credentials", **portal_rp.auth_form()})
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"
    assert Token.objects.count() == 0


def test_it_refuses_a_scope_the_system_was_not_granted(client: HttpClient, insurance_system: Machine) -> None:
    response = client.post(
        "/oidc/token",
        {"grant_type": "client_credentials", "scope": "exchange personal_id"},
        HTTP_AUTHORIZATION=_basic(insurance_system.client.client_id, insurance_system.secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert Token.objects.count() == 0


def test_it_refuses_the_password_grant(client: HttpClient, insurance_system: Machine) -> None:
    response = client.post(
        "/oidc/token",
        {"grant_type": "password", "username": "031190001234", "password": "x"},
        HTTP_AUTHORIZATION=_basic(insurance_system.client.client_id, insurance_system.secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_it_refuses_a_disabled_client(client: HttpClient, insurance_system: Machine) -> None:
    from dancu.core.audit import Actor
    from dancu.identity.actions import do_disable_client

    do_disable_client(insurance_system.client, actor=Actor.system("tests"), reason="contract ended")
    response = client.post(
        "/oidc/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=_basic(insurance_system.client.client_id, insurance_system.secret),
    )
    assert response.status_code == 401
    assert Token.objects.count() == 0


def test_it_grants_client_credentials_with_private_key_jwt(client: HttpClient) -> None:
    from joserfc.jwk import RSAKey

    from dancu.identity.actions import do_register_client
    from dancu.identity.queries import MachinePrincipal, authenticate_bearer

    key = RSAKey.generate_key(2048, auto_kid=True)
    registered = do_register_client("Bệnh viện (máy)", "exchange", jwks={"keys": [key.as_dict(private=False)]})
    system = RelyingParty(registered.client, key)
    response = client.post("/oidc/token", {"grant_type": "client_credentials", **system.auth_form()})
    assert response.status_code == 200, response.content
    principal = authenticate_bearer(response.json()["access_token"], required_scope="exchange")
    assert isinstance(principal, MachinePrincipal)
    assert principal.client_id == registered.client.client_id
