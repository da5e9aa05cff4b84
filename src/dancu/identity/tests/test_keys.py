"""Signing keys: created on first use outside the repository, rotated without downtime."""

from __future__ import annotations

import stat
from typing import Any

import pytest
from django.test import Client as HttpClient

from dancu.identity import keys
from dancu.identity.queries import authenticate_bearer

pytestmark = pytest.mark.django_db


def test_it_creates_the_first_key_privately(client: HttpClient) -> None:
    jwks = client.get("/oidc/jwks").json()
    assert len(jwks["keys"]) == 1
    public = jwks["keys"][0]
    assert public["kty"] == "RSA"
    assert public["alg"] == "RS256"
    assert public["use"] == "sig"
    assert "d" not in public
    pem = keys.key_dir() / f"{public['kid']}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.key_dir().stat().st_mode) == 0o700


def test_it_keeps_verifying_tokens_signed_before_a_rotation(client: HttpClient, level2_tokens: dict[str, Any]) -> None:
    old_kid = keys.active_key().kid
    new_kid = keys.rotate()
    assert keys.active_key().kid == new_kid
    assert authenticate_bearer(level2_tokens["access_token"]) is not None
    published = [k["kid"] for k in client.get("/oidc/jwks").json()["keys"]]
    assert published == [old_kid, new_kid]


def test_it_publishes_a_pending_key_before_it_signs(client: HttpClient) -> None:
    first = keys.active_key().kid
    pending = keys.rotate(activate_in=3600)
    assert keys.active_key().kid == first
    assert {k["kid"] for k in client.get("/oidc/jwks").json()["keys"]} == {first, pending}
    assert {k["kid"]: k["state"] for k in keys.list_keys()} == {first: "active", pending: "pending"}


def test_it_drops_a_retired_key_once_its_tokens_have_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    first = keys.active_key().kid
    keys.rotate()
    later = keys.time.time() + keys.KEEP_RETIRED_SECONDS + 1
    monkeypatch.setattr(keys.time, "time", lambda: later)
    third = keys.rotate()
    assert first not in {k["kid"] for k in keys.public_jwks()["keys"]}
    assert not (keys.key_dir() / f"{first}.pem").exists()
    assert keys.active_key().kid == third
