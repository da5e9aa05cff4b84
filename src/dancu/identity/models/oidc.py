"""The OpenID Connect provider's records: clients, authorization codes, tokens, consents.

Secrets are never stored: client secrets, codes and refresh tokens are kept as SHA-256 digests
(they are long random strings, so a fast hash is enough); access tokens are signed JWTs whose
``jti`` is recorded so they can be revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def digest(secret: str) -> str:
    """The stored form of a high-entropy secret (client secret, code, refresh token)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ClientKind(models.TextChoices):
    OIDC = "oidc", _("Ứng dụng đăng nhập (OIDC)")
    EXCHANGE = "exchange", _("Hệ thống kết nối")


class ClientAuthMethod(models.TextChoices):
    PRIVATE_KEY_JWT = "private_key_jwt", "private_key_jwt (RFC 7523)"
    CLIENT_SECRET_BASIC = "client_secret_basic", "client_secret_basic"


class Client(models.Model):
    """A relying party (``oidc``) or an agency system (``exchange``), registered by an administrator.

    The methods below are those Authlib's server asks of a client (``ClientMixin``).
    """

    client_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ClientKind.choices)
    auth_method = models.CharField(max_length=24, choices=ClientAuthMethod.choices)
    secret_hash = models.CharField(max_length=64, blank=True)
    jwks = models.JSONField(default=dict, blank=True)
    redirect_uris = models.JSONField(default=list, blank=True)
    post_logout_redirect_uris = models.JSONField(default=list, blank=True)
    allowed_scopes = models.JSONField(default=list)
    # The lowest e-ID level this service accepts, whatever the request asks (0: any).
    min_level = models.PositiveSmallIntegerField(default=0)
    organisation = models.CharField(max_length=100, blank=True)
    access_token_seconds = models.PositiveIntegerField(default=600)
    refresh_token_seconds = models.PositiveIntegerField(default=8 * 3600)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "ứng dụng / client"
        verbose_name_plural = "ứng dụng / clients"

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    # --- Authlib's ClientMixin ---------------------------------------------------------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # OpenID Connect requires redirect_uri in every authorization request: no default.
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.allowed_scopes)
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string comparison (RFC 9700 §4.1.3): no prefixes, no wildcards, no normalising.
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        if not self.secret_hash or self.auth_method != ClientAuthMethod.CLIENT_SECRET_BASIC:
            return False
        return hmac.compare_digest(self.secret_hash, digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return self.kind == ClientKind.OIDC and response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if self.kind == ClientKind.OIDC:
            return grant_type in {"authorization_code", "refresh_token"}
        return grant_type == "client_credentials"

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": list(self.post_logout_redirect_uris)}


class AuthorizationCode(models.Model):
    """A single-use code (RFC 6749 §4.1.2) bound to its client, redirect URI and PKCE challenge,
    carrying how the person authenticated (``acr``, ``amr``, ``auth_time``)."""

    code_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="+")
    login_session = models.ForeignKey(
        "identity.LoginSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=500)
    claims = models.JSONField(default=list)
    nonce = models.CharField(max_length=200, blank=True)
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=8)
    acr = models.CharField(max_length=60)
    amr = models.JSONField(default=list)
    auth_time = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The nonce-replay check (OIDC Core §3.1.2.1) looks codes up by client and nonce.
        indexes = [models.Index(fields=["client", "nonce"], name="code_client_nonce")]

    def __str__(self) -> str:
        return f"code #{self.pk}"

    # --- Authlib's AuthorizationCodeMixin (and its OpenID Connect additions) -----------------

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce or None

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())

    def get_acr(self) -> str:
        return self.acr

    def get_amr(self) -> list[str]:
        return list(self.amr)


class Token(models.Model):
    """An access token (by its ``jti``) and, for relying parties, its refresh token.

    Refresh tokens rotate: each use issues a new row in the same ``family`` and marks the old
    one ``refresh_used_at``; presenting a used one again revokes the whole family (and only it).
    """

    jti = models.CharField(max_length=43, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.CASCADE, related_name="tokens")
    login_session = models.ForeignKey(
        "identity.LoginSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authorization_code = models.ForeignKey(
        AuthorizationCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="tokens"
    )
    family = models.UUIDField(default=uuid.uuid4, db_index=True)
    grant_type = models.CharField(max_length=20)
    scope = models.CharField(max_length=500)
    claims = models.JSONField(default=list)
    acr = models.CharField(max_length=60, blank=True)
    amr = models.JSONField(default=list)
    auth_time = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    refresh_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "client"], name="token_user_client")]

    def __str__(self) -> str:
        return f"token {self.jti[:8]}…"

    # --- Authlib's TokenMixin (used by the refresh-token grant and revocation) ---------------

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.pk

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Consent(models.Model):
    """A citizen's consent to release listed claims to a client, kept as evidence; revoking it
    stamps ``revoked_at`` (rows are never deleted)."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="consents")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    claims = models.JSONField(default=list)
    scopes = models.JSONField(default=list)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "client", "revoked_at"], name="consent_user_client")]

    def __str__(self) -> str:
        return f"consent #{self.pk}"


class UsedAssertion(models.Model):
    """The ``jti`` of each client assertion already accepted (RFC 7523 §3 item 7): a replayed
    assertion is refused. Rows are purged once the assertion has expired."""

    client_id = models.CharField(max_length=64)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_id", "jti"], name="used_assertion_unique")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.jti}"
