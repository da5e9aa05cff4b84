"""Issuing and revoking tokens. Each issuance is one audit entry; secrets never reach the log."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from dancu.core import audit
from dancu.core.models import Outcome
from dancu.identity.actors import actor_of_client
from dancu.identity.models import AuthorizationCode, Client, LoginSession, Token, User, digest
from dancu.identity.oidc import tokens as jwts

__all__ = [
    "IssuedTokens",
    "TokenGrant",
    "do_issue_tokens",
    "do_revoke_family",
    "do_revoke_tokens_of_code",
    "do_revoke_tokens_of_user",
]


@dataclass(slots=True)
class TokenGrant:
    """What a token is issued for: a client, and for relying parties a person and how they
    authenticated."""

    client: Client
    scope: str
    user: User | None = None
    claims: list[str] = field(default_factory=list)
    acr: str = ""
    amr: list[str] = field(default_factory=list)
    auth_time: dt.datetime | None = None
    login_session_id: uuid.UUID | None = None
    authorization_code: AuthorizationCode | None = None
    family: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None
    row: Token


def _personal_id(user: User | None) -> str:
    if user is None or user.person_id is None or user.person is None:
        return ""
    return user.person.personal_id


def do_issue_tokens(grant: TokenGrant, *, grant_type: str, with_refresh: bool) -> IssuedTokens:
    """Sign an access token (and make a refresh token), record both, audit the issuance."""
    client = grant.client
    now = timezone.now()
    lifetime = client.access_token_seconds
    jti = secrets.token_urlsafe(32)
    iat = int(now.timestamp())
    claims: dict[str, object] = {
        "iss": jwts.issuer(),
        "aud": jwts.issuer(),
        "iat": iat,
        "exp": iat + lifetime,
        "jti": jti,
        "client_id": client.client_id,
        "scope": grant.scope,
        "sub": jwts.pairwise_subject(grant.user, client) if grant.user is not None else client.client_id,
    }
    if grant.user is not None:
        claims["acr"] = grant.acr
        if grant.auth_time is not None:
            claims["auth_time"] = int(grant.auth_time.timestamp())
    access_token = jwts.sign(claims, typ=jwts.ACCESS_TOKEN_TYPE)
    refresh_token = secrets.token_urlsafe(48) if with_refresh else None
    with transaction.atomic():
        row = Token.objects.create(
            jti=jti,
            client=client,
            user=grant.user,
            login_session_id=grant.login_session_id,
            authorization_code=grant.authorization_code,
            family=grant.family or uuid.uuid4(),
            grant_type=grant_type,
            scope=grant.scope,
            claims=grant.claims,
            acr=grant.acr,
            amr=grant.amr,
            auth_time=grant.auth_time,
            issued_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
            refresh_hash=digest(refresh_token) if refresh_token else None,
            refresh_expires_at=now + dt.timedelta(seconds=client.refresh_token_seconds) if refresh_token else None,
        )
        audit.record(
            action="identity.token_issued",
            actor=actor_of_client(client, on_behalf_of=grant.user.username if grant.user is not None else ""),
            subject_personal_id=_personal_id(grant.user),
            object_type="token",
            object_id=row.pk,
            fields=grant.claims,
            details={
                "grant_type": grant_type,
                "scope": grant.scope,
                "acr": grant.acr,
                "refresh": refresh_token is not None,
            },
        )
    return IssuedTokens(access_token, lifetime, grant.scope, refresh_token, row)


def do_revoke_family(family: uuid.UUID, *, reason: str, client: Client) -> int:
    """Revoke every token of one refresh-token family (a reused refresh token revokes its own
    family only, never the client's other sessions)."""
    now = timezone.now()
    with transaction.atomic():
        count = Token.objects.filter(family=family, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason=reason
        )
        audit.record(
            action="identity.tokens_revoked",
            actor=actor_of_client(client),
            object_type="token_family",
            object_id=str(family),
            details={"reason": reason, "count": count},
        )
    return count


def do_revoke_tokens_of_code(code: AuthorizationCode, *, reason: str) -> int:
    """Revoke what a code issued (RFC 6749 §4.1.2: a replayed code revokes its tokens)."""
    now = timezone.now()
    with transaction.atomic():
        families = list(Token.objects.filter(authorization_code=code).values_list("family", flat=True).distinct())
        count = Token.objects.filter(family__in=families, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason=reason
        )
        audit.record(
            action="identity.code_replayed",
            actor=actor_of_client(code.client),
            outcome=Outcome.REFUSED,
            subject_personal_id=_personal_id(code.user),
            object_type="authorization_code",
            object_id=code.pk,
            details={"revoked_tokens": count},
        )
    return count


def do_revoke_tokens_of_user(
    user: User, *, reason: str, actor: audit.Actor, client: Client | None = None, login: LoginSession | None = None
) -> int:
    """Revoke a person's tokens (all, or those of one client or one login session)."""
    tokens = Token.objects.filter(user=user, revoked_at__isnull=True)
    if client is not None:
        tokens = tokens.filter(client=client)
    if login is not None:
        tokens = tokens.filter(login_session=login)
    with transaction.atomic():
        count = tokens.update(revoked_at=timezone.now(), revoke_reason=reason)
        if count:
            audit.record(
                action="identity.tokens_revoked",
                actor=actor,
                subject_personal_id=_personal_id(user),
                object_type="account",
                object_id=user.pk,
                details={"reason": reason, "count": count, "client": client.client_id if client else ""},
            )
    return count
