"""The OpenID Connect endpoints: discovery, JWKS, authorization (login, step-up, consent), token,
userinfo, revocation and RP-initiated logout."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dancu.core import audit
from dancu.identity import keys, sessions
from dancu.identity.actions import do_grant_consent, do_record_consent_refused
from dancu.identity.actions.login import do_record_login_event
from dancu.identity.actors import actor_of_client
from dancu.identity.federation.config import upstream_config
from dancu.identity.levels import ACR_LEVEL1, ACR_LEVEL2, UnsupportedAcrError, level_of_acr, required_level
from dancu.identity.models import Client, Consent, LoginOutcome, LoginSession, User, UserKind
from dancu.identity.oidc import tokens as jwts
from dancu.identity.oidc.scopes import CLAIM_LABELS, EXCHANGE_SCOPE, SCOPE_CLAIMS, claim_values, claims_for_scope
from dancu.identity.oidc.server import (
    ASSERTION_ALGORITHMS,
    AUTH_METHODS,
    ENDPOINT_PATHS,
    OAuth2Error,
    Subject,
    decode_id_token_hint,
    endpoint_url,
    get_server,
)
from dancu.identity.queries import CitizenPrincipal, OfficerPrincipal, check_bearer
from dancu.identity.views.form_targets import allow_form_targets, origin_of
from dancu.identity.views.login_form import login_page

# OpenID Connect Core errata / "Unmet Authentication Requirements 1.0": the login cannot reach
# the level the client asked for.
UNMET = "unmet_authentication_requirements"


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    """OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3, RFC 8414)."""
    body: dict[str, Any] = {"issuer": jwts.issuer()}
    body.update({name: endpoint_url(name) for name in ENDPOINT_PATHS})
    body.update(
        {
            "scopes_supported": [*SCOPE_CLAIMS, EXCHANGE_SCOPE],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [keys.SIGNING_ALG],
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
            "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "amr",
                "nonce",
                "sid",
                *CLAIM_LABELS,
            ],
            "acr_values_supported": [ACR_LEVEL1, ACR_LEVEL2],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "authorization_response_iss_parameter_supported": True,
            "prompt_values_supported": ["none", "login", "consent"],
            "ui_locales_supported": ["vi", "en"],
        }
    )
    response = JsonResponse(body)
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The public signing keys, including pending and recently retired ones."""
    response = JsonResponse(keys.public_jwks())
    # Short: relying parties pick up a rotation within minutes.
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """The token endpoint (RFC 6749 §3.2): authorization code, refresh token, client credentials."""
    return get_server().create_token_response(request)  # type: ignore[no-any-return]  # Authlib is untyped


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    """Token revocation (RFC 7009)."""
    return get_server().create_endpoint_response("revocation", request)  # type: ignore[no-any-return]  # Authlib is untyped


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _bearer_error(error: str, description: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["WWW-Authenticate"] = f'Bearer error="{error}", error_description="{description}"'
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> JsonResponse:
    """The claims the person consented to release to this client (OIDC Core §5.3), from the register.

    Every answer is an audit entry naming the fields released: a read of a person's data by a machine.
    """
    check = check_bearer(_bearer(request), required_scope="openid")
    principal = check.principal
    if principal is None:
        status = 403 if check.error == "insufficient_scope" else 401
        return _bearer_error(check.error or "invalid_token", check.description, status)
    if not isinstance(principal, CitizenPrincipal | OfficerPrincipal):
        return _bearer_error("insufficient_scope", "token has no subject", 403)
    row = Client.objects.get(client_id=principal.client_id)
    user = User.objects.select_related("person", "person__household").get(pk=principal.user_id)
    claims = sorted(principal.claims) if isinstance(principal, CitizenPrincipal) else ["sub"]
    values = claim_values(user, row, claims)
    audit.record(
        action="identity.userinfo_read",
        actor=actor_of_client(row, on_behalf_of=user.username),
        subject_personal_id=user.person.personal_id if user.person is not None else "",
        object_type="account",
        object_id=user.pk,
        fields=sorted(values),
    )
    response = JsonResponse(values)
    response["Cache-Control"] = "no-store"
    return response


# --- authorization -----------------------------------------------------------------------------


def _with_iss(response: HttpResponse) -> HttpResponse:
    """Add ``iss`` to an authorization response redirect (RFC 9207, mix-up defence)."""
    location = response.get("Location")
    if location:
        parts = urlsplit(location)
        query = parse_qsl(parts.query, keep_blank_values=True)
        query.append(("iss", jwts.issuer()))
        response["Location"] = urlunsplit(parts._replace(query=urlencode(query)))
    response["Cache-Control"] = "no-store"
    return response


def _error_redirect(redirect_uri: str, state: str | None, error: str, description: str) -> str:
    params = [("error", error), ("error_description", description)]
    if state:
        params.append(("state", state))
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + params + [("iss", jwts.issuer())]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _authorize_url_without(request: HttpRequest, *drop: str) -> str:
    """This authorization request's URL (GET form) without the named parameters."""
    source = request.POST if request.method == "POST" else request.GET
    params = [
        (k, v) for k, values in source.lists() for v in values if k not in {"csrfmiddlewaretoken", "decision", *drop}
    ]
    return f"{reverse('identity:authorize')}?{urlencode(params)}"


def pending_request_level(next_url: str) -> int:
    """The e-ID level a pending authorization request (``next``) will need, or 0."""
    parts = urlsplit(next_url)
    if parts.path != reverse("identity:authorize"):
        return 0
    query = dict(parse_qsl(parts.query))
    client = Client.objects.filter(client_id=query.get("client_id", ""), is_active=True).first()
    if client is None:
        return 0
    try:
        return required_level(query.get("acr_values"), client.min_level)
    except UnsupportedAcrError:
        return 0


def _render_error(request: HttpRequest, error: OAuth2Error) -> HttpResponse:
    return render(
        request,
        "identity/oidc_error.html",
        {"error": error.error, "description": error.description},
        status=400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """The authorization endpoint (OIDC Core §3.1.2): validate the request, make sure the person
    is logged in at the level the client needs, ask consent, then redirect with a code."""
    return _authorize(request)


def resume_authorization(request: HttpRequest, next_url: str) -> HttpResponse | None:
    """Go on with the pending authorization request ``next_url`` right after a login, in the
    same HTTP request; None when ``next_url`` is not an authorization request."""
    parts = urlsplit(next_url)
    if parts.path != reverse("identity:authorize"):
        return None
    # The login's own POST has been handled (and its CSRF token checked): from here on this
    # request is the authorization request the login was for.
    request.method = "GET"
    request.GET = QueryDict(parts.query)
    request.META["QUERY_STRING"] = parts.query
    request.path = request.path_info = parts.path
    return _authorize(request)


def _authorize(request: HttpRequest) -> HttpResponse:
    server = get_server()
    login = sessions.current_login(request)
    try:
        grant = server.get_consent_grant(request, end_user=login.user if login else None)
    except OAuth2Error as error:
        if error.redirect_uri:
            return _with_iss(server.handle_error_response(None, error))
        return _render_error(request, error)
    client: Client = grant.request.client
    data = grant.request.payload.data
    redirect_uri: str = grant.redirect_uri
    state = data.get("state")
    prompt = set(str(data.get("prompt", "")).split())
    scope: str = grant.request.scope or ""
    if "openid" not in scope.split():
        return HttpResponseRedirect(
            _error_redirect(redirect_uri, state, "invalid_scope", "The openid scope is required.")
        )
    try:
        needed = required_level(data.get("acr_values"), client.min_level)
    except UnsupportedAcrError:
        return HttpResponseRedirect(
            _error_redirect(redirect_uri, state, "invalid_request", "None of the acr_values is supported.")
        )

    # 1. A login, fresh enough.
    max_age = data.get("max_age")
    too_old = False
    if login is not None and max_age is not None:
        try:
            too_old = time.time() - login.auth_time.timestamp() > int(max_age)
        except ValueError:
            return HttpResponseRedirect(_error_redirect(redirect_uri, state, "invalid_request", "Invalid max_age."))
    if login is None or "login" in prompt or too_old:
        if "none" in prompt:
            return HttpResponseRedirect(_error_redirect(redirect_uri, state, "login_required", "The user must log in."))
        # The login form is shown right here (one redirect fewer per login); it posts to the
        # login page, which comes back to this request — without prompt=login, so it is
        # honoured once.
        return login_page(request, next_url=_authorize_url_without(request, "prompt", "max_age"))
    user = login.user

    # 2. The level the client needs: step up, or refuse clearly — never a lower level.
    if needed:
        reached = level_of_acr(login.acr)
        account_level = user.eid_level if user.kind == UserKind.CITIZEN else 0
        if reached < needed:
            if login.upstream_issuer and upstream_config() is not None and "none" not in prompt:
                # Logged in through the upstream at a lower level: the upstream raises it.
                next_url = _authorize_url_without(request, "prompt")
                return HttpResponseRedirect(f"{reverse('identity:upstream_start')}?next={quote(next_url, safe='')}")
            if account_level >= needed:
                if "none" in prompt:
                    return HttpResponseRedirect(
                        _error_redirect(redirect_uri, state, "interaction_required", "A second factor is required.")
                    )
                next_url = _authorize_url_without(request, "prompt")
                return HttpResponseRedirect(f"{reverse('identity:step_up')}?next={quote(next_url, safe='')}")
            do_record_login_event(
                user,
                outcome=LoginOutcome.REFUSED,
                method="oidc",
                ip=sessions.client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                client_name=client.name,
            )
            audit.record(
                action="identity.authorization_refused",
                actor=actor_of_client(client, on_behalf_of=user.username),
                outcome="refused",
                subject_personal_id=user.person.personal_id if user.person is not None else "",
                object_type="client",
                object_id=client.client_id,
                details={"reason": "level", "needed": needed, "account_level": account_level},
            )
            back = _error_redirect(
                redirect_uri,
                state,
                UNMET,
                f"The service requires e-ID level {needed}; the account is level {account_level}.",
            )
            return render(
                request,
                "identity/level_refused.html",
                {"client": client, "needed": needed, "account_level": account_level, "back": back},
                status=403,
            )

    # 3. Consent to exactly the claims this client will receive.
    claims = claims_for_scope(scope)
    consent = Consent.objects.filter(user=user, client=client, revoked_at__isnull=True).order_by("-granted_at").first()
    covered = consent is not None and set(claims) <= set(consent.claims)
    decision = request.POST.get("decision") if request.method == "POST" else None
    if decision == "deny":
        do_record_consent_refused(user, client, claims=claims)
        return _with_iss(server.create_authorization_response(request, grant_user=None, grant=grant))
    if decision != "allow" and (not covered or "consent" in prompt):
        if "none" in prompt:
            return HttpResponseRedirect(
                _error_redirect(redirect_uri, state, "consent_required", "Consent is required.")
            )
        return _consent_page(request, client, user_login=login, claims=claims)
    if decision == "allow":
        do_grant_consent(user, client, claims=claims, scopes=scope.split())
    return _issue_code(request, grant, login, claims)


def _consent_page(request: HttpRequest, client: Client, *, user_login: LoginSession, claims: list[str]) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    hidden = [(k, v) for k, values in source.lists() for v in values if k not in {"csrfmiddlewaretoken", "decision"}]
    preview = claim_values(user_login.user, client, claims)
    rows = [{"claim": c, "label": CLAIM_LABELS[c], "value": _display(preview.get(c))} for c in claims]
    response = render(request, "identity/consent.html", {"client": client, "rows": rows, "hidden": hidden})
    # The consent form ends with a redirect to the (already validated) redirect URI.
    return allow_form_targets(response, origin_of(source.get("redirect_uri", "")))


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v)
    if isinstance(value, bool):
        return _("có") if value else _("không")
    return str(value)


def _issue_code(request: HttpRequest, grant: Any, login: LoginSession, claims: list[str]) -> HttpResponse:
    client: Client = grant.request.client
    subject = Subject(
        user=login.user,
        acr=login.acr,
        amr=list(login.amr),
        auth_time=login.auth_time,
        claims=claims,
        login_session_id=login.pk,
    )
    with transaction.atomic():
        response = _issue_code_response(request, grant, subject, login, client, claims)
    return _with_iss(response)


def _issue_code_response(
    request: HttpRequest, grant: Any, subject: Subject, login: LoginSession, client: Client, claims: list[str]
) -> HttpResponse:
    response: HttpResponse = get_server().create_authorization_response(request, grant_user=subject, grant=grant)
    do_record_login_event(
        login.user,
        outcome=LoginOutcome.OK,
        method="oidc",
        ip=sessions.client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        client_name=client.name,
    )
    audit.record(
        action="identity.authorization_granted",
        actor=actor_of_client(client, on_behalf_of=login.user.username),
        subject_personal_id=login.user.person.personal_id if login.user.person is not None else "",
        object_type="client",
        object_id=client.client_id,
        fields=claims,
        details={"acr": login.acr, "amr": login.amr},
    )
    return response


# --- RP-initiated logout -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def end_session(request: HttpRequest) -> HttpResponse:
    """RP-Initiated Logout 1.0: with a valid ``id_token_hint`` the session ends at once and the
    browser returns to a registered ``post_logout_redirect_uri``; without one, the person
    confirms first (so a link elsewhere cannot log them out)."""
    source = request.POST if request.method == "POST" else request.GET
    hint = source.get("id_token_hint", "")
    claims = decode_id_token_hint(hint) if hint else None
    if hint and claims is None:
        return render(
            request,
            "identity/oidc_error.html",
            {"error": "invalid_request", "description": "Invalid id_token_hint."},
            status=400,
        )
    client_id = source.get("client_id") or (claims or {}).get("aud")
    if isinstance(client_id, list):
        client_id = client_id[0] if len(client_id) == 1 else None
    client = Client.objects.filter(client_id=client_id, is_active=True).first() if isinstance(client_id, str) else None
    if claims is not None and client is not None and source.get("client_id") and client.client_id not in _aud(claims):
        return render(
            request,
            "identity/oidc_error.html",
            {"error": "invalid_request", "description": "client_id does not match aud."},
            status=400,
        )
    target = source.get("post_logout_redirect_uri", "")
    redirect_to = ""
    if target and client is not None and target in client.post_logout_redirect_uris and claims is not None:
        state = source.get("state")
        redirect_to = target + (("&" if "?" in target else "?") + urlencode({"state": state}) if state else "")
    confirmed = request.method == "POST" and source.get("confirm") == "yes"
    if claims is None and not confirmed:
        hidden = [(k, v) for k, v in source.items() if k != "csrfmiddlewaretoken"]
        return render(request, "identity/logout_confirm.html", {"client": client, "hidden": hidden})
    if request.user.is_authenticated:
        sessions.end_current(request, reason="rp_logout")
    if redirect_to:
        return HttpResponseRedirect(redirect_to)
    return render(request, "identity/logged_out.html", {"client": client})


def _aud(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else list(aud or [])
