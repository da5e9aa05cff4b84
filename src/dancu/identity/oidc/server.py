"""The protocol engine: Authlib's authorization server, with our storage and our stricter rules
(docs/adr/0004-oidc-provider.md).

What we make stricter than Authlib's defaults:

- PKCE is required of every client and only ``S256`` is accepted (RFC 9700 §2.1.1);
- ``response_type=code`` only: implicit and hybrid flows are not registered;
- client authentication is ``private_key_jwt`` (RFC 7523, with replay-checked ``jti`` and a
  short assertion lifetime) or ``client_secret_basic`` — never a public client;
- a replayed authorization code revokes everything it issued (RFC 6749 §4.1.2);
- refresh tokens rotate, and a reused one revokes its family (RFC 9700 §4.14.2);
- the request URI Authlib sees is built from ``DANCU_BASE_URL``, so its HTTPS check applies to
  the deployment's public address rather than to the internal one behind the proxy.

Authlib ships no type hints, so this module is where its untyped objects are wrapped; the rest
of the app only sees the typed functions at the bottom.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from authlib.oauth2 import rfc6749  # type: ignore[import-untyped]  # Authlib ships no type hints
from authlib.oauth2.rfc6749 import grants  # type: ignore[import-untyped]  # Authlib ships no type hints
from authlib.oauth2.rfc6749.errors import (  # type: ignore[import-untyped]  # Authlib ships no type hints
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint  # type: ignore[import-untyped]  # Authlib ships no type hints
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion  # type: ignore[import-untyped]  # Authlib ships no type hints
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]  # Authlib ships no type hints
from authlib.oidc.core import grants as oidc_grants  # type: ignore[import-untyped]  # Authlib ships no type hints
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dancu.identity import keys
from dancu.identity.actions.tokens import (
    TokenGrant,
    do_issue_tokens,
    do_revoke_family,
    do_revoke_tokens_of_code,
)
from dancu.identity.models import AuthorizationCode, Client, Token, UsedAssertion, User, digest
from dancu.identity.oidc import tokens as jwts
from dancu.identity.oidc.scopes import claims_for_scope

__all__ = [
    "ASSERTION_ALGORITHMS",
    "AUTH_METHODS",
    "CODE_LIFETIME",
    "ID_TOKEN_LIFETIME",
    "OAuth2Error",
    "Subject",
    "endpoint_url",
    "get_server",
]

AUTH_METHODS = ["private_key_jwt", "client_secret_basic"]
CODE_LIFETIME = dt.timedelta(seconds=60)
ID_TOKEN_LIFETIME = 900
# A client assertion may live at most this long: RFC 7523 sets no bound; FAPI 1.0 Advanced
# §5.2.2-13 sets 60 minutes, which is also what common client libraries (Authlib) sign with.
MAX_ASSERTION_SECONDS = 3600
ASSERTION_ALGORITHMS = ["RS256", "PS256", "ES256"]

ENDPOINT_PATHS = {
    "authorization_endpoint": "/oidc/authorize",
    "token_endpoint": "/oidc/token",
    "userinfo_endpoint": "/oidc/userinfo",
    "jwks_uri": "/oidc/jwks",
    "end_session_endpoint": "/oidc/logout",
    "revocation_endpoint": "/oidc/revoke",
}


def endpoint_url(name: str) -> str:
    """The public URL of one of the provider's endpoints."""
    return jwts.issuer() + ENDPOINT_PATHS[name]


@dataclass(slots=True)
class Subject:
    """The person a code or token is for, and how they authenticated. Authlib passes it around
    as its "user"."""

    user: User
    acr: str
    amr: list[str]
    auth_time: dt.datetime
    claims: list[str]
    login_session_id: uuid.UUID | None = None
    code: AuthorizationCode | None = None
    family: uuid.UUID | None = None

    def get_user_id(self) -> int:
        return self.user.pk


# --- requests --------------------------------------------------------------------------------


class _Payload(rfc6749.OAuth2Payload):  # type: ignore[misc]  # Authlib ships no type hints
    """Parameters from the query string of a GET, the form body of a POST — never both, so a
    token request cannot smuggle parameters through its URL."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def _source(self) -> Any:
        return self._request.POST if self._request.method == "POST" else self._request.GET

    @cached_property
    def data(self) -> dict[str, str]:
        return dict(self._source.dict())

    @cached_property
    def datalist(self) -> dict[str, list[str]]:
        values: dict[str, list[str]] = defaultdict(list)
        for key in self._source:
            values[key].extend(self._source.getlist(key))
        return values


class _Request(rfc6749.OAuth2Request):  # type: ignore[misc]  # Authlib ships no type hints
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(method=request.method, uri=jwts.issuer() + request.get_full_path(), headers=request.headers)
        self.payload = _Payload(request)
        self.django_request = request

    @property
    def args(self) -> Any:
        return self.django_request.GET

    @property
    def form(self) -> Any:
        return self.django_request.POST if self.django_request.method == "POST" else {}


# --- client authentication -------------------------------------------------------------------


class PrivateKeyJwt(JWTBearerClientAssertion):  # type: ignore[misc]  # Authlib ships no type hints
    """``private_key_jwt`` (OIDC Core §9, RFC 7523 §2.2 and §3)."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def get_audiences(self) -> list[str]:
        return [endpoint_url("token_endpoint"), jwts.issuer()]

    def resolve_client_public_key(self, client: Client) -> KeySet:
        if not client.jwks:
            raise InvalidClientError(description="The client has no registered keys.")
        return KeySet.import_key_set(client.jwks)

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        # Asymmetric algorithms only, named explicitly: never HMAC (a client's public key is no
        # secret) and never "none".
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ASSERTION_ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise InvalidClientError(description="The client assertion is not validly signed.") from exc
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: Any) -> None:
        exp = claims.get("exp")
        if isinstance(exp, int) and exp > time.time() + MAX_ASSERTION_SECONDS + self.leeway:
            raise InvalidClientError(description="The client assertion lives too long (at most 3600 seconds).")
        super().verify_claims(claims)

    def validate_jti(self, claims: Any, jti: Any) -> bool:
        if not isinstance(jti, str) or not jti or len(jti) > 200:
            return False
        expires = dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
        try:
            with transaction.atomic():
                UsedAssertion.objects.create(client_id=str(claims["sub"]), jti=jti, expires_at=expires)
        except IntegrityError:
            return False
        # Purge now and then instead of in a separate job: expired rows can no longer collide.
        if int(time.time()) % 50 == 0:
            UsedAssertion.objects.filter(expires_at__lt=timezone.now() - dt.timedelta(minutes=5)).delete()
        return True


# --- grants ----------------------------------------------------------------------------------


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]  # Authlib ships no type hints
    """PKCE required of every client, ``S256`` only (RFC 7636, RFC 9700 §2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only code_challenge_method=S256 is supported.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'.")
        super().validate_code_verifier(grant, result)


class OpenIDCode(oidc_grants.OpenIDCode):  # type: ignore[misc]  # Authlib ships no type hints
    """The ID token: authentication facts only (``sub``, ``acr``, ``amr``, ``auth_time``,
    ``nonce``, ``sid``, ``at_hash``); the register's claims come from userinfo."""

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return AuthorizationCode.objects.filter(client__client_id=request.payload.client_id, nonce=nonce).exists()

    def resolve_client_private_key(self, client: Client) -> Any:
        return keys.active_key()

    def get_client_algorithm(self, client: Client) -> str:
        return keys.SIGNING_ALG

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": keys.SIGNING_ALG, "kid": keys.active_key().kid or "", "typ": "JWT"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": jwts.issuer(),
            "aud": [client.client_id],
            "azp": client.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_LIFETIME,
        }

    def generate_user_info(self, user: Subject, scope: str) -> dict[str, Any]:
        assert user.code is not None  # ID tokens are only issued from an authorization code
        info: dict[str, Any] = {"sub": jwts.pairwise_subject(user.user, user.code.client)}
        if user.login_session_id is not None:
            info["sid"] = str(user.login_session_id)
        return info


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]  # Authlib ships no type hints
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    AUTHORIZATION_CODE_LENGTH = 48

    def validate_authorization_request(self) -> str:
        # Authlib validates the request for the consent page and again when it issues the
        # code; within one HTTP request the second pass would only repeat the same queries.
        validated: str | None = getattr(self, "_validated_redirect_uri", None)
        if validated is None:
            validated = super().validate_authorization_request()
            self._validated_redirect_uri = validated
        return validated

    def save_authorization_code(self, code: str, request: Any) -> AuthorizationCode:
        subject: Subject = request.user
        data = request.payload.data
        now = timezone.now()
        return AuthorizationCode.objects.create(
            code_hash=digest(code),
            client=request.client,
            user=subject.user,
            login_session_id=subject.login_session_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            claims=subject.claims,
            nonce=data.get("nonce", "")[:200],
            code_challenge=data["code_challenge"],
            code_challenge_method=data.get("code_challenge_method", "S256"),
            acr=subject.acr,
            amr=subject.amr,
            auth_time=subject.auth_time,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        found = (
            AuthorizationCode.objects.select_related("user", "user__person", "client")
            .filter(code_hash=digest(code), client=client)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        # Single use under concurrency: only one redemption can stamp used_at.
        claimed = AuthorizationCode.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=now)
        if not claimed:
            do_revoke_tokens_of_code(found, reason="code_replayed")
            return None
        if found.expires_at <= now or not found.user.is_active:
            return None
        return found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        # Already marked used when it was redeemed; the row stays so a replay can be recognised.
        return None

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Subject:
        return Subject(
            user=authorization_code.user,
            acr=authorization_code.acr,
            amr=list(authorization_code.amr),
            auth_time=authorization_code.auth_time,
            claims=list(authorization_code.claims),
            login_session_id=authorization_code.login_session_id,
            code=authorization_code,
        )


class RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]  # Authlib ships no type hints
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        row = (
            Token.objects.select_related("client", "user", "user__person")
            .filter(refresh_hash=digest(refresh_token))
            .first()
        )
        if row is None:
            return None
        if row.refresh_used_at is not None:
            # A refresh token that was already exchanged is back: someone holds a copy. Revoke
            # that family (this login's tokens), not the client's other sessions.
            do_revoke_family(row.family, reason="refresh_reuse", client=row.client)
            return None
        if row.revoked_at is not None or row.refresh_expires_at is None or row.refresh_expires_at <= timezone.now():
            return None
        if row.user is None or not row.user.is_active:
            return None
        return row

    def authenticate_user(self, refresh_token: Token) -> Subject:
        # Claimed only now, after the client proved it owns the token (a wrong client must
        # not be able to burn the real client's token).
        if not Token.objects.filter(pk=refresh_token.pk, refresh_used_at__isnull=True).update(
            refresh_used_at=timezone.now()
        ):
            do_revoke_family(refresh_token.family, reason="refresh_reuse", client=refresh_token.client)
            raise InvalidGrantError("The refresh token was already used.")
        assert refresh_token.user is not None  # checked by authenticate_refresh_token
        return Subject(
            user=refresh_token.user,
            acr=refresh_token.acr,
            amr=list(refresh_token.amr),
            auth_time=refresh_token.auth_time or refresh_token.issued_at,
            claims=list(refresh_token.claims),
            login_session_id=refresh_token.login_session_id,
            family=refresh_token.family,
        )

    def revoke_old_credential(self, refresh_token: Token) -> None:
        # The old access token stays valid until it expires (minutes); its refresh token was
        # spent in authenticate_user.
        return None


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]  # Authlib ships no type hints
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_requested_scope(self) -> None:
        scope = self.request.payload.scope
        if scope and not set(scope.split()) <= set(self.request.client.allowed_scopes):
            raise InvalidScopeError()


# --- endpoints -------------------------------------------------------------------------------


class Revocation(RevocationEndpoint):  # type: ignore[misc]  # Authlib ships no type hints
    """RFC 7009: a client revokes its own access or refresh token."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        row = Token.objects.filter(refresh_hash=digest(token_string)).select_related("client").first()
        if row is not None:
            return row
        try:
            claims = jwts.decode_access_token(token_string, leeway=3600)
        except jwts.InvalidTokenError:
            return None
        return Token.objects.filter(jti=claims["jti"]).select_related("client").first()

    def revoke_token(self, token: Token, request: Any) -> None:
        do_revoke_family(token.family, reason="client_revoked", client=token.client)


class Server(rfc6749.AuthorizationServer):  # type: ignore[misc]  # Authlib ships no type hints
    def __init__(self) -> None:
        super().__init__()
        self.register_token_generator("default", _generate_token)
        self.register_client_auth_method(PrivateKeyJwt.CLIENT_AUTH_METHOD, PrivateKeyJwt())
        self.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True), OpenIDCode(require_nonce=False)])
        self.register_grant(RefreshTokenGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(Revocation)

    def query_client(self, client_id: str) -> Client | None:
        if not isinstance(client_id, str) or len(client_id) > 64:
            return None
        return Client.objects.filter(client_id=client_id, is_active=True).first()

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        # Tokens are recorded when they are generated (_generate_token), with what Authlib
        # does not carry here (acr, amr, the code, the session).
        return None

    def validate_requested_scope(self, scope: str | None) -> None:
        # Scopes a client may not have are dropped (Client.get_allowed_scope), not refused.
        return None

    def create_oauth2_request(self, request: HttpRequest) -> _Request:
        return _Request(request)

    def create_json_request(self, request: HttpRequest) -> Any:
        raise NotImplementedError("no JSON endpoints")

    def handle_response(self, status_code: int, payload: Any, headers: list[tuple[str, str]]) -> HttpResponse:
        body = json.dumps(payload) if isinstance(payload, dict) else payload
        response = HttpResponse(body, status=status_code)
        for key, value in headers:
            response[key] = value
        response["Cache-Control"] = "no-store"
        return response

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None


def _generate_token(
    grant_type: str,
    client: Client,
    user: Subject | None = None,
    scope: str | None = None,
    expires_in: int | None = None,
    include_refresh_token: bool = True,
) -> dict[str, Any]:
    if user is None:
        chosen = scope or " ".join(client.allowed_scopes)
        issued = do_issue_tokens(TokenGrant(client=client, scope=chosen), grant_type=grant_type, with_refresh=False)
    else:
        chosen = scope or ""
        allowed = set(claims_for_scope(chosen))
        issued = do_issue_tokens(
            TokenGrant(
                client=client,
                scope=chosen,
                user=user.user,
                claims=[c for c in user.claims if c in allowed],
                acr=user.acr,
                amr=user.amr,
                auth_time=user.auth_time,
                login_session_id=user.login_session_id,
                authorization_code=user.code,
                family=user.family,
            ),
            grant_type=grant_type,
            with_refresh=include_refresh_token,
        )
    token: dict[str, Any] = {
        "token_type": "Bearer",
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    }
    if issued.refresh_token is not None:
        token["refresh_token"] = issued.refresh_token
    return token


@functools.cache
def get_server() -> Server:
    """The provider's one authorization server (built on first use)."""
    return Server()


def decode_id_token_hint(id_token: str) -> dict[str, Any] | None:
    """The claims of an ID token we issued (expired ones too: RP-initiated logout §2), or None."""
    try:
        decoded = jwt.decode(id_token, keys.verification_keys(), algorithms=[keys.SIGNING_ALG])
    except Exception:  # noqa: BLE001 — any failure means "not a token of ours"
        return None
    claims = dict(decoded.claims)
    return claims if claims.get("iss") == jwts.issuer() else None
