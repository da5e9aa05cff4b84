"""Who is calling: the bearer token of an agency system, checked by Dancu's OAuth provider
(:mod:`dancu.identity`), which issued it through the client-credentials grant with a
``private_key_jwt`` client assertion.

This is the one place the gateway asks identity about a token. A valid token is remembered in
this process until it expires (at most :data:`CACHE_SECONDS`), so the hot path does not verify a
signature and read the token table on every call. Stopping a system still applies at once: the
access policy, checked on every call, treats a system as suspended when its member status says so
or when identity has disabled its client (see :mod:`dancu.exchange.policy`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Final

__all__ = ["CACHE_SECONDS", "EXCHANGE_SCOPE", "authenticate_token", "forget_tokens"]

#: The OAuth scope an exchange token must carry.
EXCHANGE_SCOPE: Final = "exchange"
CACHE_SECONDS: Final = 60
_MAX_ENTRIES: Final = 20_000


@dataclass(frozen=True, slots=True)
class _Cached:
    client_id: str
    until: float


_lock = threading.Lock()
_cache: dict[str, _Cached] = {}


def forget_tokens() -> None:
    """Drop every remembered token (tests; a key rotation)."""
    with _lock:
        _cache.clear()


def authenticate_token(token: str) -> str | None:
    """The client id a valid exchange access token was issued to, or None."""
    if not token or len(token) > 8192:
        return None
    key = hashlib.sha256(token.encode()).hexdigest()
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached.until > now:
        return cached.client_id
    found = _ask_identity(token)
    if found is None:
        return None
    client_id, lifetime = found
    if lifetime > 0:
        with _lock:
            if len(_cache) >= _MAX_ENTRIES:
                _cache.clear()
            _cache[key] = _Cached(client_id=client_id, until=now + min(lifetime, CACHE_SECONDS))
    return client_id


def _ask_identity(token: str) -> tuple[str, float] | None:
    """Identity's answer: the client id and how many seconds the token stays valid."""
    from dancu.identity.queries import MachinePrincipal, authenticate_bearer

    principal = authenticate_bearer(token, required_scope=EXCHANGE_SCOPE)
    # Only an agency system's own client-credentials token: a person's token is not a system.
    if not isinstance(principal, MachinePrincipal):
        return None
    return principal.client_id, principal.expires_at.timestamp() - time.time()
