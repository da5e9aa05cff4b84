"""The provider's signing keys: generated on first use, rotated without downtime.

Keys live as PEM files in ``DANCU_OIDC_KEY_DIR`` (default ``DANCU_HOME/keys/oidc``), never in the
repository or the database, with a small ``keys.json`` naming each key's state:

- the *active* key (newest whose ``active_from`` has passed) signs new tokens;
- a *pending* key (rotated in with a delay) is already published, so relying parties that cache
  the JWK set know it before the first token signed with it arrives;
- a *retired* key no longer signs but stays published until ``retire_at + keep_seconds`` (longer
  than any token it signed lives), so tokens issued before a rotation keep verifying.

Every web process reads the same directory and reloads ``keys.json`` when its modification time
changes, so ``dancu account rotate-keys`` on one machine takes effect everywhere that shares it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from joserfc.jwk import KeySet, RSAKey

__all__ = [
    "KEEP_RETIRED_SECONDS",
    "SIGNING_ALG",
    "KeyInfo",
    "active_key",
    "key_dir",
    "list_keys",
    "public_jwks",
    "rotate",
    "verification_keys",
]

SIGNING_ALG = "RS256"
# Longer than the longest-lived token a key signs (ID tokens and access tokens: 1 h at most;
# refresh tokens are opaque and do not depend on the key).
KEEP_RETIRED_SECONDS = 24 * 3600
_STATE = "keys.json"


@dataclass(frozen=True, slots=True)
class KeyInfo:
    kid: str
    created_at: float
    active_from: float
    retired_at: float | None

    def state(self, now: float, active_kid: str | None) -> str:
        if self.kid == active_kid:
            return "active"
        if self.active_from > now:
            return "pending"
        return "retired"


def key_dir() -> Path:
    configured = os.environ.get("DANCU_OIDC_KEY_DIR") or getattr(settings, "DANCU_OIDC_KEY_DIR", "")
    return Path(configured) if configured else Path(settings.DANCU_HOME) / "keys" / "oidc"


class _Store:
    """In-process cache of the key directory, reloaded when ``keys.json`` changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_from: tuple[str, float] | None = None
        self._infos: list[KeyInfo] = []
        self._keys: dict[str, RSAKey] = {}
        self._checked_at = 0.0

    def _state_path(self) -> Path:
        return key_dir() / _STATE

    def load(self) -> tuple[list[KeyInfo], dict[str, RSAKey]]:
        now = time.monotonic()
        path = self._state_path()
        # One stat per second at most: rotation needs no restart, and requests pay nothing.
        if self._loaded_from is not None and self._loaded_from[0] == str(path) and now - self._checked_at < 1.0:
            return self._infos, self._keys
        with self._lock:
            self._checked_at = now
            if not path.exists():
                self._create_first(path)
            mtime = path.stat().st_mtime
            if self._loaded_from != (str(path), mtime):
                self._read(path)
                self._loaded_from = (str(path), mtime)
            return self._infos, self._keys

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_from = None

    def _read(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        infos = [
            KeyInfo(
                kid=item["kid"],
                created_at=float(item["created_at"]),
                active_from=float(item["active_from"]),
                retired_at=None if item.get("retired_at") is None else float(item["retired_at"]),
            )
            for item in data["keys"]
        ]
        keys = {}
        for info in infos:
            pem = (path.parent / f"{info.kid}.pem").read_bytes()
            keys[info.kid] = RSAKey.import_key(pem, {"kid": info.kid, "alg": SIGNING_ALG, "use": "sig"})
        self._infos, self._keys = infos, keys

    def _create_first(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        lock = path.parent / ".create.lock"
        # Several web processes may start at once: only one creates the first key.
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            for _ in range(100):
                if path.exists():
                    return
                time.sleep(0.05)
            raise RuntimeError(f"{path}: another process is creating the first signing key") from None
        try:
            now = time.time()
            kid = _new_key_file(path.parent)
            _write_state(path, [KeyInfo(kid=kid, created_at=now, active_from=now, retired_at=None)])
        finally:
            os.close(fd)
            lock.unlink(missing_ok=True)


_store = _Store()


def _new_key_file(directory: Path) -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    kid = RSAKey.import_key(pem).thumbprint()
    target = directory / f"{kid}.pem"
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return kid


def _write_state(path: Path, infos: list[KeyInfo]) -> None:
    body = {
        "keys": [
            {"kid": i.kid, "created_at": i.created_at, "active_from": i.active_from, "retired_at": i.retired_at}
            for i in infos
        ]
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=2), encoding="utf-8")
    tmp.chmod(0o600)
    # Atomic replace: a reader sees the old state or the new one, never half of it.
    tmp.replace(path)


def _active_kid(infos: list[KeyInfo], now: float) -> str | None:
    candidates = [i for i in infos if i.active_from <= now and (i.retired_at is None or i.retired_at > now)]
    if not candidates:
        candidates = [i for i in infos if i.active_from <= now]
    if not candidates:
        return None
    return max(candidates, key=lambda i: (i.active_from, i.created_at)).kid


def active_key() -> RSAKey:
    """The key that signs new tokens now."""
    infos, keys = _store.load()
    kid = _active_kid(infos, time.time())
    if kid is None:
        raise RuntimeError("no active signing key: run `dancu account rotate-keys`")
    return keys[kid]


def _published(infos: list[KeyInfo], now: float) -> list[KeyInfo]:
    active = _active_kid(infos, now)
    return [
        i
        for i in infos
        if i.kid == active
        or i.active_from > now
        or (i.retired_at is not None and i.retired_at + KEEP_RETIRED_SECONDS > now)
    ]


def verification_keys() -> KeySet:
    """Every key whose signatures are still accepted (active, pending, recently retired)."""
    infos, keys = _store.load()
    return KeySet([keys[i.kid] for i in _published(infos, time.time())])


def public_jwks() -> dict[str, Any]:
    """The JWK set published at ``jwks_uri``: public parts only."""
    infos, keys = _store.load()
    return {"keys": [keys[i.kid].as_dict(private=False) for i in _published(infos, time.time())]}


def list_keys() -> list[dict[str, Any]]:
    """Each key with its state, for ``dancu account keys``."""
    infos, _ = _store.load()
    now = time.time()
    active = _active_kid(infos, now)
    published = {i.kid for i in _published(infos, now)}
    return [
        {
            "kid": i.kid,
            "state": i.state(now, active),
            "published": i.kid in published,
            "active_from": i.active_from,
            "retired_at": i.retired_at,
        }
        for i in sorted(infos, key=lambda i: i.created_at)
    ]


def rotate(*, activate_in: float = 0.0) -> str:
    """Create a new key that signs from ``activate_in`` seconds from now; the current key is
    retired then and stays published for :data:`KEEP_RETIRED_SECONDS`. Keys no longer
    published are deleted. Returns the new key id."""
    infos, _ = _store.load()
    directory = key_dir()
    now = time.time()
    kid = _new_key_file(directory)
    start = now + max(activate_in, 0.0)
    kept: list[KeyInfo] = []
    for info in infos:
        if info.retired_at is None:
            info = KeyInfo(info.kid, info.created_at, info.active_from, retired_at=start)
        if info.retired_at is not None and info.retired_at + KEEP_RETIRED_SECONDS <= now:
            (directory / f"{info.kid}.pem").unlink(missing_ok=True)
            continue
        kept.append(info)
    kept.append(KeyInfo(kid=kid, created_at=now, active_from=start, retired_at=None))
    _write_state(directory / _STATE, kept)
    _store.invalidate()
    return kid
