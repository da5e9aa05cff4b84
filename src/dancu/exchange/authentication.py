"""Who is calling: the bearer token of an agency system, checked by Dancu's OAuth provider
(:mod:`dancu.identity`), which issued it through the client-credentials grant with a
``private_key_jwt`` client assertion.

This is the one place the gateway asks identity about a token. A valid token is remembered in
this process, keyed by its SHA-256, until it expires, so the hot path neither verifies a
signature nor reads the token, client and account rows on every call. Revocation still applies
to the very next call: the query that reads the policy stamp on every call also reads whether the
token's row is still unrevoked (:func:`dancu.exchange.policy.current_policy`), and the access
policy treats a system as suspended when its member status says so or when identity has disabled
its client (see :mod:`dancu.exchange.policy`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Final

__all__ = ["EXCHANGE_SCOPE", "Caller", "authenticate_token", "forget_tokens"]

#: The OAuth scope an exchange token must carry.
EXCHANGE_SCOPE: Final = "exchange"
_MAX_ENTRIES: Final = 20_000


@dataclass(frozen=True, slots=True)
class Caller:
    """The system a valid token speaks for, and the token's id (``jti``) to check it against
    revocation on each call."""

    client_id: str
    token_id: str


@dataclass(frozen=True, slots=True)
class _Cached:
    caller: Caller
    until: float


_lock = threading.Lock()
_cache: dict[bytes, _Cached] = {}


def forget_tokens() -> None:
    """Drop every remembered token (tests; a key rotation)."""
    with _lock:
        _cache.clear()


def authenticate_token(token: str) -> Caller | None:
    """The system a valid exchange access token was issued to, or None. The signature, lifetime,
    scope and records are checked by identity once per token and process; whether the token was
    revoked since is checked on every call, with the policy stamp."""
    if not token or len(token) > 8192:
        return None
    key = hashlib.sha256(token.encode()).digest()
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached.until > now:
        return cached.caller
    found = _ask_identity(token)
    if found is None:
        return None
    caller, lifetime = found
    if lifetime > 0:
        with _lock:
            if len(_cache) >= _MAX_ENTRIES:
                _cache.clear()
            _cache[key] = _Cached(caller=caller, until=now + lifetime)
    return caller


def _ask_identity(token: str) -> tuple[Caller, float] | None:
    """Identity's answer: who the token speaks for and how many seconds it stays valid."""
    from dancu.identity.queries import MachinePrincipal, authenticate_bearer

    principal = authenticate_bearer(token, required_scope=EXCHANGE_SCOPE)
    # Only an agency system's own client-credentials token: a person's token is not a system.
    if not isinstance(principal, MachinePrincipal):
        return None
    return Caller(principal.client_id, principal.token_id), principal.expires_at.timestamp() - time.time()
