"""The federation client's checks on what the upstream answers (a fake upstream over httpx)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from dancu.core.config import ConfigError
from dancu.identity.federation import client as federation
from dancu.identity.federation.client import AuthorizationStart, UpstreamError, complete_login
from dancu.identity.federation.config import UpstreamConfig, upstream_config

ISSUER = "https://vneid.example"
CONFIG = UpstreamConfig(
    issuer=ISSUER,
    client_id="hai-phong",
    client_secret="s3cret",
    private_key_pem="",
    name="VNeID",
    scope="openid personal_id",
    acr_map={"vneid:level2": "urn:dancu:eid:level2"},
)
STARTED = AuthorizationStart(url="", state="st", nonce="the-nonce", code_verifier="v" * 50)


class FakeUpstream:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, auto_kid=True)
        self.claims: dict[str, Any] = {}
        self.token_requests: list[httpx.Request] = []

    def id_token(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": "hai-phong", "sub": "vneid-123", "exp": now + 300, "iat": now,
                  "nonce": "the-nonce", "acr": "vneid:level2", "amr": ["pwd", "otp"]}  # fmt: skip
        claims.update(overrides)
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key, algorithms=["RS256"])

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={
                "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize", "token_endpoint": f"{ISSUER}/token",
                "userinfo_endpoint": f"{ISSUER}/userinfo", "jwks_uri": f"{ISSUER}/jwks",
            })  # fmt: skip
        if path == "/jwks":
            return httpx.Response(200, json={"keys": [self.key.as_dict(private=False)]})
        if path == "/token":
            self.token_requests.append(request)
            return httpx.Response(
                200, json={"access_token": "at", "token_type": "Bearer", "id_token": self.id_token(**self.claims)}
            )
        if path == "/userinfo":
            return httpx.Response(200, json={"sub": "vneid-123", "personal_id": "031190001234"})
        return httpx.Response(404)


@pytest.fixture
def fake() -> FakeUpstream:
    federation._cache.metadata.clear()
    federation._cache.jwks.clear()
    return FakeUpstream()


def _complete(fake: FakeUpstream) -> federation.UpstreamLogin:
    return complete_login(
        CONFIG,
        code="c",
        redirect_uri="https://hp.example/cb",
        started=STARTED,
        transport=httpx.MockTransport(fake.handler),
    )


def test_it_accepts_a_valid_login_and_authenticates_with_basic(fake: FakeUpstream) -> None:
    login = _complete(fake)
    assert (login.subject, login.acr, login.amr) == ("vneid-123", "vneid:level2", ["pwd", "otp"])
    assert login.claims["personal_id"] == "031190001234"
    request = fake.token_requests[0]
    assert request.headers["Authorization"].startswith("Basic ")
    form = dict(httpx.QueryParams(request.content.decode()))
    assert form["code_verifier"] == "v" * 50


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nonce": "another"}, "nonce"),
        ({"aud": "someone-else"}, "another client"),
        ({"iss": "https://evil.example"}, "another issuer"),
        ({"exp": int(time.time()) - 3600}, "expired"),
    ],
)
def test_it_refuses_an_id_token_that_is_not_for_this_login(
    fake: FakeUpstream, overrides: dict[str, Any], message: str
) -> None:
    fake.claims = overrides
    with pytest.raises(UpstreamError, match=message):
        _complete(fake)


def test_it_picks_up_an_upstream_key_rotation(fake: FakeUpstream) -> None:
    _complete(fake)
    fake.key = RSAKey.generate_key(2048, auto_kid=True)
    assert _complete(fake).subject == "vneid-123"


def test_it_refuses_a_token_signed_by_a_stranger(fake: FakeUpstream) -> None:
    genuine = fake.key
    stranger = RSAKey.generate_key(2048, auto_kid=True)
    fake.key = stranger
    original = fake.handler

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jwks":
            return httpx.Response(200, json={"keys": [genuine.as_dict(private=False)]})
        return original(request)

    with pytest.raises(UpstreamError, match="signature"):
        complete_login(
            CONFIG,
            code="c",
            redirect_uri="https://hp.example/cb",
            started=STARTED,
            transport=httpx.MockTransport(handler),
        )


def test_it_reads_the_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DANCU_UPSTREAM_ISSUER", raising=False)
    assert upstream_config() is None
    monkeypatch.setenv("DANCU_UPSTREAM_ISSUER", "https://vneid.example/")
    with pytest.raises(ConfigError, match="DANCU_UPSTREAM_CLIENT_SECRET"):
        upstream_config()
    monkeypatch.setenv("DANCU_UPSTREAM_CLIENT_ID", "hp")
    monkeypatch.setenv("DANCU_UPSTREAM_CLIENT_SECRET", "x")
    monkeypatch.setenv("DANCU_UPSTREAM_ACR_MAP", "vneid:1=urn:dancu:eid:level1, vneid:2=urn:dancu:eid:level2")
    config = upstream_config()
    assert config is not None
    assert config.issuer == "https://vneid.example"
    assert config.local_acr("vneid:2") == "urn:dancu:eid:level2"
    assert config.local_acr("vneid:3") == ""
    assert config.upstream_acr_for_level(2) == ["vneid:2"]
    monkeypatch.setenv("DANCU_UPSTREAM_ACR_MAP", "vneid:1=level-one")
    with pytest.raises(ConfigError, match="DANCU_UPSTREAM_ACR_MAP"):
        upstream_config()
