"""Signing and reading the provider's JWTs: access tokens (RFC 9068) and ID tokens (OIDC Core §2).

Access tokens carry no personal data: ``sub`` is the pairwise subject of the person for that
client (or the client itself for machines), plus scope, ``acr`` and ``auth_time``.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError

from dancu.identity import keys
from dancu.identity.models import Client, User

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "InvalidTokenError",
    "decode_access_token",
    "half_hash",
    "issuer",
    "pairwise_subject",
    "sign",
]

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 — the JOSE "typ" of RFC 9068, not a secret


class InvalidTokenError(Exception):
    """The token is not one of ours, is malformed, expired, or signed with an unknown key."""


def issuer() -> str:
    """The issuer identifier: this deployment's base URL (``DANCU_BASE_URL``)."""
    return str(settings.DANCU_BASE_URL).rstrip("/")


def pairwise_subject(user: User, client: Client) -> str:
    """The person's ``sub`` as ``client`` sees it (OIDC Core §8.1): stable for that client,
    unlinkable across clients, and revealing nothing by itself."""
    raw = hashlib.sha256(f"{user.subject_seed}|{client.client_id}".encode()).digest()
    return base64.urlsafe_b64encode(raw[:20]).rstrip(b"=").decode()


def half_hash(value: str) -> str:
    """``at_hash``/``c_hash`` for RS256 (OIDC Core §3.1.3.6): left half of SHA-256, base64url."""
    raw = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(raw[: len(raw) // 2]).rstrip(b"=").decode()


def sign(claims: dict[str, Any], *, typ: str = "JWT") -> str:
    """Sign ``claims`` with the active key."""
    key = keys.active_key()
    header = {"alg": keys.SIGNING_ALG, "kid": key.kid, "typ": typ}
    return jwt.encode(header, claims, key, algorithms=[keys.SIGNING_ALG])


def decode_access_token(token: str, *, leeway: int = 0) -> dict[str, Any]:
    """Verify an access token's signature, type, issuer, audience and lifetime; return its claims.

    Only RS256 with one of our published keys is accepted: ``alg=none``, HMAC with our public
    key, or a key id we never issued all fail here.
    """
    try:
        decoded = jwt.decode(token, keys.verification_keys(), algorithms=[keys.SIGNING_ALG])
    except (JoseError, ValueError) as exc:
        raise InvalidTokenError(str(exc)) from exc
    if decoded.header.get("typ") != ACCESS_TOKEN_TYPE:
        raise InvalidTokenError("not an access token")
    claims = dict(decoded.claims)
    now = int(time.time())
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp + leeway <= now:
        raise InvalidTokenError("expired")
    if claims.get("iss") != issuer():
        raise InvalidTokenError("wrong issuer")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if issuer() not in audiences:
        raise InvalidTokenError("wrong audience")
    if not isinstance(claims.get("jti"), str):
        raise InvalidTokenError("no jti")
    return claims
