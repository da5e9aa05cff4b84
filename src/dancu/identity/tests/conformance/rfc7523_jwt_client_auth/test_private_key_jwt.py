"""RFC 7523 §2.2 and §3 (JWT client authentication, OIDC Core §9 ``private_key_jwt``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.test import Client as HttpClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from dancu.identity.models import Token, User
from dancu.identity.tests.flows import ISSUER, RelyingParty, exchange_code, get_code, log_in, pkce_pair

pytestmark = pytest.mark.django_db


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _token_request(client: HttpClient, rp: RelyingParty, assertion: str) -> Any:
    log_in(client, User.objects.get(username="031095004321"))
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, rp, challenge)
    return exchange_code(
        client,
        rp,
        code,
        verifier,
        client_assertion=assertion,
    )


def _refused(response: Any) -> None:
    assert response.status_code in (400, 401), response.content
    assert response.json()["error"] == "invalid_client"
    assert Token.objects.count() == 0


def test_it_accepts_a_well_formed_assertion(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    response = _token_request(client, portal_rp, portal_rp.assertion())
    assert response.status_code == 200, response.content


def test_it_accepts_the_issuer_as_audience(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    response = _token_request(client, portal_rp, portal_rp.assertion(audience=ISSUER))
    assert response.status_code == 200, response.content


def test_it_refuses_alg_none(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    now = int(time.time())
    claims = {"iss": portal_rp.client.client_id, "sub": portal_rp.client.client_id, "aud": ISSUER + "/oidc/token",
              "iat": now, "exp": now + 60, "jti": "none-1"}  # fmt: skip
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    _refused(_token_request(client, portal_rp, unsigned))


def test_it_refuses_hmac_signed_with_the_public_key(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    # The classic key-confusion forgery: HS256 keyed with the client's public key, which anyone has.
    public_pem = portal_rp.key.as_pem(private=False)
    now = int(time.time())
    claims = {"iss": portal_rp.client.client_id, "sub": portal_rp.client.client_id, "aud": ISSUER + "/oidc/token",
              "iat": now, "exp": now + 60, "jti": "hs-1"}  # fmt: skip
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    _refused(_token_request(client, portal_rp, forged))


def test_it_refuses_an_assertion_signed_by_another_key(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    impostor = RelyingParty(portal_rp.client, RSAKey.generate_key(2048, auto_kid=True))
    _refused(_token_request(client, portal_rp, impostor.assertion()))


def test_it_refuses_an_expired_assertion(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    now = int(time.time())
    _refused(_token_request(client, portal_rp, portal_rp.assertion(iat=now - 600, exp=now - 120)))


def test_it_refuses_a_long_lived_assertion(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    now = int(time.time())
    _refused(_token_request(client, portal_rp, portal_rp.assertion(exp=now + 3600 + 120)))


def test_it_refuses_the_wrong_audience(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    _refused(_token_request(client, portal_rp, portal_rp.assertion(audience="https://elsewhere.example/token")))


def test_it_refuses_an_issuer_different_from_the_subject(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty, hospital_rp: RelyingParty
) -> None:
    _refused(_token_request(client, portal_rp, portal_rp.assertion(iss=hospital_rp.client.client_id)))


def test_it_refuses_a_replayed_assertion(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    assertion = portal_rp.assertion()
    assert _token_request(client, portal_rp, assertion).status_code == 200
    second = _token_request(client, portal_rp, assertion)
    assert second.status_code in (400, 401)
    assert second.json()["error"] == "invalid_client"
    assert Token.objects.count() == 1


def test_it_refuses_a_secret_for_a_client_registered_with_keys(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    basic = base64.b64encode(f"{portal_rp.client.client_id}:anything".encode()).decode()
    response = client.post(
        "/oidc/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": portal_rp.client.redirect_uris[0],
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert Token.objects.count() == 0


def test_it_accepts_an_ec_key_for_a_machine_client(client: HttpClient) -> None:
    from joserfc.jwk import ECKey

    from dancu.identity.actions import do_register_client

    key = ECKey.generate_key("P-256", auto_kid=True)
    registered = do_register_client("Ngân hàng (eKYC)", "exchange", jwks={"keys": [key.as_dict(private=False)]})
    now = int(time.time())
    claims = {"iss": registered.client.client_id, "sub": registered.client.client_id, "aud": ISSUER + "/oidc/token",
              "iat": now, "exp": now + 60, "jti": "ec-1"}  # fmt: skip
    assertion = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key, algorithms=["ES256"])
    response = client.post(
        "/oidc/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "exchange"
