"""Typed reads of the identity app, for its own pages and for other apps.

The exchange gateway authenticates agency systems with :func:`authenticate_bearer` (or
:func:`check_bearer` when it needs to say why a token was refused, e.g. in a
``WWW-Authenticate`` header). Both verify the JWT's signature, type, issuer, audience and
lifetime, then read the token's record: revoked tokens, disabled clients and locked accounts
are refused at once, whatever the token's own expiry says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from dancu.identity.levels import level_of_acr
from dancu.identity.models import (
    Client,
    ClientKind,
    Consent,
    LoginEvent,
    LoginSession,
    Token,
    User,
    UserKind,
)
from dancu.identity.oidc import tokens as jwts

__all__ = [
    "BearerCheck",
    "CitizenPrincipal",
    "MachinePrincipal",
    "OfficerPrincipal",
    "Principal",
    "active_consents",
    "active_sessions",
    "authenticate_bearer",
    "check_bearer",
    "get_client",
    "login_history",
]


@dataclass(frozen=True, slots=True)
class MachinePrincipal:
    """An agency system calling with a client-credentials token (valid until ``expires_at``,
    unless revoked sooner)."""

    client_id: str
    client_name: str
    organisation: str
    scopes: frozenset[str]
    token_id: str
    expires_at: dt.datetime

    @property
    def actor_id(self) -> str:
        return self.client_id


@dataclass(frozen=True, slots=True)
class CitizenPrincipal:
    """A relying party calling on behalf of a citizen who logged in and consented.

    ``claims`` are the claims the citizen consented to release to this client; ``level`` is the
    e-ID level this login reached (from ``acr``).
    """

    client_id: str
    client_name: str
    organisation: str
    scopes: frozenset[str]
    token_id: str
    expires_at: dt.datetime
    user_id: int
    username: str
    personal_id: str
    acr: str
    level: int
    claims: frozenset[str]
    auth_time: dt.datetime | None

    @property
    def actor_id(self) -> str:
        return self.client_id


@dataclass(frozen=True, slots=True)
class OfficerPrincipal:
    """A relying party calling on behalf of an officer (or administrator) who logged in."""

    client_id: str
    client_name: str
    organisation: str
    scopes: frozenset[str]
    token_id: str
    expires_at: dt.datetime
    user_id: int
    username: str
    officer_role: str
    acr: str

    @property
    def actor_id(self) -> str:
        return self.client_id


Principal = MachinePrincipal | CitizenPrincipal | OfficerPrincipal


@dataclass(frozen=True, slots=True)
class BearerCheck:
    """The outcome of :func:`check_bearer`: a principal, or an RFC 6750 §3.1 error code
    (``invalid_token`` or ``insufficient_scope``) with a description."""

    principal: Principal | None
    error: str = ""
    description: str = ""


# What a bearer check reads, in one query: the token, its client, its account and person.
_TOKEN_FIELDS = (
    "jti",
    "scope",
    "claims",
    "acr",
    "auth_time",
    "expires_at",
    "revoked_at",
    "client__client_id",
    "client__name",
    "client__organisation",
    "client__is_active",
    "client__kind",
    "user__id",
    "user__username",
    "user__kind",
    "user__officer_role",
    "user__is_active",
    "user__locked_at",
    "user__person__personal_id",
)


def _refuse(description: str, error: str = "invalid_token") -> BearerCheck:
    return BearerCheck(None, error, description)


def check_bearer(token: str, *, required_scope: str | None = None) -> BearerCheck:
    """Verify an access token issued by this provider and say who it speaks for, or why not."""
    if not token or len(token) > 8192:
        return _refuse("missing or oversized token")
    try:
        claims = jwts.decode_access_token(token)
    except jwts.InvalidTokenError as exc:
        return _refuse(str(exc))
    row = (
        Token.objects.select_related("client", "user", "user__person")
        .filter(jti=claims["jti"])
        .only(*_TOKEN_FIELDS)
        .first()
    )
    if row is None:
        return _refuse("unknown token")
    if row.revoked_at is not None:
        return _refuse("token revoked")
    if row.expires_at <= timezone.now():
        return _refuse("token expired")
    client = row.client
    if not client.is_active:
        return _refuse("client disabled")
    scopes = frozenset(row.scope.split())
    if required_scope is not None and required_scope not in scopes:
        return BearerCheck(None, "insufficient_scope", f"scope {required_scope!r} required")
    user = row.user
    if user is None:
        if client.kind != ClientKind.EXCHANGE:
            return _refuse("token has no subject")
        return BearerCheck(
            MachinePrincipal(client.client_id, client.name, client.organisation, scopes, row.jti, row.expires_at)
        )
    if not user.is_active or user.locked_at is not None:
        return _refuse("account locked")
    if user.kind == UserKind.CITIZEN:
        return BearerCheck(
            CitizenPrincipal(
                client_id=client.client_id,
                client_name=client.name,
                organisation=client.organisation,
                scopes=scopes,
                token_id=row.jti,
                expires_at=row.expires_at,
                user_id=user.pk,
                username=user.username,
                personal_id=user.person.personal_id if user.person is not None else "",
                acr=row.acr,
                level=level_of_acr(row.acr),
                claims=frozenset(row.claims),
                auth_time=row.auth_time,
            )
        )
    return BearerCheck(
        OfficerPrincipal(
            client_id=client.client_id,
            client_name=client.name,
            organisation=client.organisation,
            scopes=scopes,
            token_id=row.jti,
            expires_at=row.expires_at,
            user_id=user.pk,
            username=user.username,
            officer_role=user.officer_role,
            acr=row.acr,
        )
    )


def authenticate_bearer(token: str, *, required_scope: str | None = None) -> Principal | None:
    """Who an access token speaks for — a machine, a citizen or an officer — or None when the
    token is invalid, expired, revoked, lacks ``required_scope``, or its client or account is
    disabled or locked."""
    return check_bearer(token, required_scope=required_scope).principal


def get_client(client_id: str) -> Client | None:
    """An active client by its id."""
    return Client.objects.filter(client_id=client_id, is_active=True).first()


def login_history(user: User, *, limit: int = 50) -> QuerySet[LoginEvent]:
    """The person's own recent login attempts, newest first."""
    return LoginEvent.objects.filter(user=user).order_by("-at")[:limit]


def active_sessions(user: User) -> QuerySet[LoginSession]:
    """The person's open login sessions (not ended, not past their absolute limit)."""
    return LoginSession.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-last_seen_at"
    )


def active_consents(user: User) -> QuerySet[Consent]:
    """The clients the person currently releases data to, with the claims released."""
    return Consent.objects.filter(user=user, revoked_at__isnull=True).select_related("client").order_by("-granted_at")
