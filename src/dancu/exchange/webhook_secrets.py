"""Webhook signing secrets at rest: encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from
``cryptography``) under ``DANCU_WEBHOOK_SECRET_KEY``.

The database holds only the token; the plain ``whsec_`` secret is shown once to the system that
subscribes and is decrypted again only to sign a delivery. Several comma-separated keys may be
configured: the first encrypts, every one decrypts, so a new key can be put in front while the
secrets stored under the old one still open.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["WebhookSecretKeyError", "decrypt_secret", "encrypt_secret", "is_encrypted"]

#: Every Fernet token starts with its version byte 0x80, which is "gAAAAA" in url-safe base64.
_TOKEN_PREFIX = "gAAAAA"  # noqa: S105 — a format marker, not a secret


class WebhookSecretKeyError(ImproperlyConfigured):
    """The webhook secret key is missing or malformed, or is not the key a secret was stored with."""


def _box() -> MultiFernet:
    raw = str(getattr(settings, "DANCU_WEBHOOK_SECRET_KEY", "") or "")
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise WebhookSecretKeyError(
            "Chưa đặt khóa mã hóa bí mật webhook / DANCU_WEBHOOK_SECRET_KEY is not set "
            "(webhook signing secrets are encrypted at rest with it)"
        )
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError as exc:
            raise WebhookSecretKeyError(
                f"DANCU_WEBHOOK_SECRET_KEY: khóa thứ {position} không hợp lệ / key {position} is not a Fernet key "
                f"(32 url-safe base64-encoded bytes): {exc}"
            ) from exc
    return MultiFernet(fernets)


def encrypt_secret(secret: str) -> str:
    """The token to store for ``secret``."""
    return _box().encrypt(secret.encode()).decode()


def decrypt_secret(token: str, *, subscription_id: int | None = None) -> str:
    """The plain secret of a stored token; a clear :class:`WebhookSecretKeyError` when no
    configured key opens it (a changed or wrong ``DANCU_WEBHOOK_SECRET_KEY``)."""
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        which = f" of subscription {subscription_id}" if subscription_id is not None else ""
        raise WebhookSecretKeyError(
            "Không giải mã được bí mật ký webhook / the webhook signing secret"
            f"{which} cannot be decrypted: DANCU_WEBHOOK_SECRET_KEY is not (or no longer lists) the key "
            "it was encrypted with"
        ) from exc


def is_encrypted(value: str) -> bool:
    return value.startswith(_TOKEN_PREFIX)
