"""Registering relying parties and agency systems (``dancu client add``, the admin page)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization

from dancu.core import audit
from dancu.core.audit import Actor
from dancu.identity.errors import IdentityError
from dancu.identity.models import Client, ClientAuthMethod, ClientKind, Token, digest
from dancu.identity.oidc.scopes import EXCHANGE_SCOPE, SCOPE_CLAIMS

__all__ = [
    "RegisteredClient",
    "do_disable_client",
    "do_register_client",
    "do_rotate_client_secret",
    "validate_jwks",
    "validate_redirect_uri",
]


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    """A new client and, when it authenticates with a secret, that secret (shown once, never stored)."""

    client: Client
    secret: str | None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "client_id": self.client.client_id,
            "name": self.client.name,
            "kind": self.client.kind,
            "token_endpoint_auth_method": self.client.auth_method,
            "scopes": self.client.allowed_scopes,
        }
        if self.client.redirect_uris:
            body["redirect_uris"] = self.client.redirect_uris
        if self.secret is not None:
            body["client_secret"] = self.secret
        return body


def validate_redirect_uri(uri: str) -> str:
    """Refuse redirect URIs that RFC 9700 §2.1 and §4.1 rule out: no fragment, no wildcard, and
    HTTPS except for loopback addresses outside production."""
    parts = urlsplit(uri)
    if parts.fragment or "*" in uri or not parts.netloc:
        raise IdentityError("invalid_redirect_uri", f"Địa chỉ chuyển hướng không hợp lệ / Invalid redirect URI: {uri}")
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme == "https" or (parts.scheme == "http" and (loopback or settings.DANCU_ENV != "production")):
        return uri
    raise IdentityError(
        "insecure_redirect_uri", f"Địa chỉ chuyển hướng phải dùng HTTPS / The redirect URI must use HTTPS: {uri}"
    )


def validate_jwks(jwks: dict[str, Any]) -> dict[str, Any]:
    """A public JWK set with at least one signing key and no private material."""
    try:
        key_set = KeySet.import_key_set(cast(KeySetSerialization, jwks))
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise IdentityError("invalid_jwks", f"Bộ khóa JWK không hợp lệ / Invalid JWK set: {exc}") from exc
    if not key_set.keys:
        raise IdentityError("invalid_jwks", "Bộ khóa JWK rỗng / The JWK set is empty")
    for key in key_set.keys:
        if key.is_private or key.key_type == "oct":
            raise IdentityError(
                "private_jwks",
                "Chỉ gửi khóa công khai / Send public keys only: the JWK set holds private or shared keys",
            )
    return {"keys": [key.as_dict(private=False) for key in key_set.keys]}


def do_register_client(
    name: str,
    kind: str,
    redirect_uris: Sequence[str] = (),
    jwks: dict[str, Any] | None = None,
    *,
    scopes: Sequence[str] | None = None,
    post_logout_redirect_uris: Sequence[str] = (),
    min_level: int = 0,
    organisation: str = "",
    actor: Actor | None = None,
) -> RegisteredClient:
    """Register a relying party (``kind="oidc"``) or an agency system (``kind="exchange"``).

    With ``jwks`` (a public JWK set) the client authenticates with ``private_key_jwt``; without,
    a secret is generated for ``client_secret_basic`` and returned once. Relying parties need at
    least one redirect URI. Default scopes: every register scope for relying parties, ``exchange``
    for agency systems.
    """
    name = name.strip()
    if not name:
        raise IdentityError("name_required", "Cần tên ứng dụng / A client name is required")
    if kind not in ClientKind.values:
        raise IdentityError("invalid_kind", f"Loại ứng dụng không hợp lệ / Unknown client kind: {kind}")
    uris = [validate_redirect_uri(u) for u in redirect_uris]
    logout_uris = [validate_redirect_uri(u) for u in post_logout_redirect_uris]
    if kind == ClientKind.OIDC and not uris:
        raise IdentityError(
            "redirect_uri_required",
            "Ứng dụng OIDC cần ít nhất một địa chỉ chuyển hướng / An OIDC client needs a redirect URI",
        )
    if kind == ClientKind.EXCHANGE and uris:
        raise IdentityError(
            "redirect_uri_not_allowed",
            "Hệ thống kết nối không dùng địa chỉ chuyển hướng / Agency systems take no redirect URI",
        )
    known_scopes = set(SCOPE_CLAIMS) | {EXCHANGE_SCOPE}
    if scopes is None:
        chosen = sorted(SCOPE_CLAIMS) if kind == ClientKind.OIDC else [EXCHANGE_SCOPE]
    else:
        unknown = sorted(set(scopes) - known_scopes)
        if unknown:
            raise IdentityError("invalid_scope", f"Phạm vi không hỗ trợ / Unknown scopes: {', '.join(unknown)}")
        chosen = sorted(set(scopes) | ({"openid"} if kind == ClientKind.OIDC else set()))
    if min_level not in (0, 1, 2):
        raise IdentityError("invalid_level", "Mức định danh phải là 0, 1 hoặc 2 / The level must be 0, 1 or 2")
    public_jwks = validate_jwks(jwks) if jwks else {}
    secret = None if public_jwks else secrets.token_urlsafe(32)
    who = actor or Actor.system()
    with transaction.atomic():
        client = Client.objects.create(
            client_id=f"{kind}-{secrets.token_hex(8)}",
            name=name,
            kind=kind,
            auth_method=ClientAuthMethod.PRIVATE_KEY_JWT if public_jwks else ClientAuthMethod.CLIENT_SECRET_BASIC,
            secret_hash=digest(secret) if secret else "",
            jwks=public_jwks,
            redirect_uris=uris,
            post_logout_redirect_uris=logout_uris,
            allowed_scopes=chosen,
            min_level=min_level,
            organisation=organisation,
            created_by=who.id,
        )
        audit.record(
            action="identity.client_registered",
            actor=who,
            object_type="client",
            object_id=client.client_id,
            details={
                "name": name,
                "kind": kind,
                "auth_method": client.auth_method,
                "redirect_uris": uris,
                "scopes": chosen,
                "min_level": min_level,
                "organisation": organisation,
            },
        )
    return RegisteredClient(client, secret)


def do_rotate_client_secret(client: Client, *, actor: Actor) -> str:
    """A new secret for a ``client_secret_basic`` client; the old one stops working at once."""
    if client.auth_method != ClientAuthMethod.CLIENT_SECRET_BASIC:
        raise IdentityError("no_secret", "Ứng dụng này dùng khóa công khai / This client authenticates with keys")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        client.secret_hash = digest(secret)
        client.save(update_fields=["secret_hash"])
        audit.record(
            action="identity.client_secret_rotated", actor=actor, object_type="client", object_id=client.client_id
        )
    return secret


def do_disable_client(client: Client, *, actor: Actor, reason: str) -> None:
    """Stop a client: no more tokens, and the ones it holds stop working."""
    with transaction.atomic():
        client.is_active = False
        client.save(update_fields=["is_active"])
        Token.objects.filter(client=client, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoke_reason="client_disabled"
        )
        audit.record(
            action="identity.client_disabled",
            actor=actor,
            object_type="client",
            object_id=client.client_id,
            details={"reason": reason},
        )
