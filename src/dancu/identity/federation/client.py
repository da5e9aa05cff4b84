"""The relying-party side of federation: we are a client of the upstream provider.

Authorization code flow with PKCE (S256), ``state`` and ``nonce``; the code is redeemed with
``client_secret_basic`` or ``private_key_jwt``; the ID token is verified against the upstream's
JWK set (fetched again once when a key id is unknown, so upstream key rotation just works),
its issuer, audience, lifetime and nonce; the register claims come from userinfo.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from dancu.identity.federation.config import UpstreamConfig

__all__ = [
    "AuthorizationStart",
    "UpstreamError",
    "UpstreamLogin",
    "complete_login",
    "start_login",
]

TIMEOUT = 10.0
METADATA_TTL = 3600.0


class UpstreamError(Exception):
    """The upstream refused, or answered something we cannot trust."""


@dataclass(frozen=True, slots=True)
class AuthorizationStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True, slots=True)
class UpstreamLogin:
    """A verified upstream login: who (``subject`` at ``issuer``), how (``acr``, ``amr``), and
    the register claims the upstream released."""

    issuer: str
    subject: str
    acr: str
    amr: list[str]
    auth_time: int | None
    claims: dict[str, Any]


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.metadata: dict[str, tuple[float, dict[str, Any]]] = {}
        self.jwks: dict[str, KeySet] = {}


_cache = _Cache()


def _metadata(config: UpstreamConfig, http: httpx.Client) -> dict[str, Any]:
    with _cache.lock:
        cached = _cache.metadata.get(config.issuer)
    if cached is not None and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1]
    response = http.get(f"{config.issuer}/.well-known/openid-configuration")
    if response.status_code != 200:
        raise UpstreamError(f"discovery answered {response.status_code}")
    body: dict[str, Any] = response.json()
    if body.get("issuer") != config.issuer:
        raise UpstreamError("discovery names another issuer")
    with _cache.lock:
        _cache.metadata[config.issuer] = (time.monotonic(), body)
    return body


def _key_set(config: UpstreamConfig, http: httpx.Client, *, refresh: bool = False) -> KeySet:
    with _cache.lock:
        cached = _cache.jwks.get(config.issuer)
    if cached is not None and not refresh:
        return cached
    response = http.get(_metadata(config, http)["jwks_uri"])
    if response.status_code != 200:
        raise UpstreamError(f"jwks answered {response.status_code}")
    key_set = KeySet.import_key_set(response.json())
    with _cache.lock:
        _cache.jwks[config.issuer] = key_set
    return key_set


def _client(transport: httpx.BaseTransport | None) -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, transport=transport, follow_redirects=False)


def start_login(
    config: UpstreamConfig,
    *,
    redirect_uri: str,
    acr_values: list[str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> AuthorizationStart:
    """The URL to send the browser to, with the secrets the callback will need."""
    with _client(transport) as http:
        endpoint = _metadata(config, http)["authorization_endpoint"]
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": config.scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if acr_values:
        params["acr_values"] = " ".join(acr_values)
    return AuthorizationStart(f"{endpoint}?{urlencode(params)}", state, nonce, verifier)


def _client_auth(config: UpstreamConfig, token_endpoint: str) -> tuple[dict[str, str], httpx.Auth | None]:
    if config.private_key_pem:
        key = RSAKey.import_key(config.private_key_pem)
        now = int(time.time())
        claims = {
            "iss": config.client_id,
            "sub": config.client_id,
            "aud": token_endpoint,
            "iat": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        }
        assertion = jwt.encode({"alg": "RS256", "kid": key.thumbprint()}, claims, key, algorithms=["RS256"])
        return {
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        }, None
    return {}, httpx.BasicAuth(config.client_id, config.client_secret)


def _verify_id_token(config: UpstreamConfig, http: httpx.Client, id_token: str, nonce: str) -> dict[str, Any]:
    algorithms = ["RS256", "PS256", "ES256"]
    try:
        try:
            decoded = jwt.decode(id_token, _key_set(config, http), algorithms=algorithms)
        except (JoseError, ValueError):
            # Perhaps a key the upstream rotated in since we cached its set: fetch it once more.
            decoded = jwt.decode(id_token, _key_set(config, http, refresh=True), algorithms=algorithms)
    except (JoseError, ValueError) as exc:
        raise UpstreamError(f"ID token signature: {exc}") from exc
    claims = dict(decoded.claims)
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    now = time.time()
    if claims.get("iss") != config.issuer:
        raise UpstreamError("ID token from another issuer")
    if config.client_id not in audiences or claims.get("azp", config.client_id) != config.client_id:
        raise UpstreamError("ID token for another client")
    if not isinstance(claims.get("exp"), int) or claims["exp"] + 60 < now:
        raise UpstreamError("ID token expired")
    if claims.get("nonce") != nonce:
        raise UpstreamError("ID token nonce mismatch")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise UpstreamError("ID token without subject")
    return claims


def complete_login(
    config: UpstreamConfig,
    *,
    code: str,
    redirect_uri: str,
    started: AuthorizationStart,
    transport: httpx.BaseTransport | None = None,
) -> UpstreamLogin:
    """Redeem the code, verify the ID token, read userinfo."""
    with _client(transport) as http:
        metadata = _metadata(config, http)
        token_endpoint = metadata["token_endpoint"]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": started.code_verifier,
        }
        extra, auth = _client_auth(config, token_endpoint)
        response = http.post(token_endpoint, data=form | extra, auth=auth or httpx.USE_CLIENT_DEFAULT)
        if response.status_code != 200:
            raise UpstreamError(f"token endpoint answered {response.status_code}: {response.text[:200]}")
        tokens = response.json()
        claims = _verify_id_token(config, http, str(tokens.get("id_token", "")), started.nonce)
        info = http.get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"})
        if info.status_code != 200:
            raise UpstreamError(f"userinfo answered {info.status_code}")
        userinfo: dict[str, Any] = info.json()
    if userinfo.get("sub") != claims["sub"]:
        raise UpstreamError("userinfo is about another subject")
    amr = claims.get("amr")
    return UpstreamLogin(
        issuer=config.issuer,
        subject=claims["sub"],
        acr=str(claims.get("acr", "")),
        amr=[str(m) for m in amr] if isinstance(amr, list) else [],
        auth_time=claims.get("auth_time") if isinstance(claims.get("auth_time"), int) else None,
        claims=userinfo,
    )
