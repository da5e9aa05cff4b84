"""Browser login sessions: starting one, the time limits, step-up and re-authentication.

Limits (NIST SP 800-63B-4 §2.2.3 and our choice for officers):

- citizens: at most 24 hours from login, 1 hour without activity;
- officers and administrators: at most 12 hours, 15 minutes without activity.

The absolute limit is Django's own session expiry (set at login), so it holds on every page of
every app. The idle limit needs a look at each request: :class:`SessionPolicyMiddleware` does it
for every page, and identity's own pages check it themselves through :func:`current_login`.
Changing the phone, password or second factor requires a password (and code) entered in the
last 5 minutes (:func:`recently_authenticated`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dancu.core import audit
from dancu.core.config import env_list
from dancu.identity.actions.login import do_record_login_event
from dancu.identity.actions.sessions import do_end_session
from dancu.identity.actors import actor_of
from dancu.identity.levels import acr_for
from dancu.identity.models import LoginOutcome, LoginSession, User, UserKind

__all__ = [
    "PENDING_TTL",
    "REAUTH_WINDOW",
    "PendingLogin",
    "SessionPolicyMiddleware",
    "add_factor",
    "clear_pending",
    "client_ip",
    "current_login",
    "end_current",
    "get_pending",
    "limits_for",
    "mark_reauthenticated",
    "recently_authenticated",
    "set_pending",
    "start_session",
]

LOGIN_KEY = "dancu_login"
# How this session authenticated, kept in the session itself so that pages need not read the
# login record back: {"acr", "amr", "auth_time", "upstream"}.
FACTS_KEY = "dancu_login_facts"
SEEN_KEY = "dancu_seen"
IDLE_KEY = "dancu_idle"
REAUTH_KEY = "dancu_reauth_at"
PENDING_KEY = "dancu_pending"
PENDING_TTL = 300
REAUTH_WINDOW = 300
# Activity is written back at most once a minute: the idle limit is exact to the minute, and a
# busy page does not rewrite its session on every request.
TOUCH_EVERY = 60
_BACKEND = "django.contrib.auth.backends.ModelBackend"


def limits_for(user: User) -> tuple[dt.timedelta, dt.timedelta]:
    """(absolute, idle) session limits for this kind of account."""
    if user.kind == UserKind.CITIZEN:
        return dt.timedelta(hours=24), dt.timedelta(hours=1)
    return dt.timedelta(hours=12), dt.timedelta(minutes=15)


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in env_list("DANCU_TRUSTED_PROXIES", [])]


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or — when that is a reverse proxy listed in
    ``DANCU_TRUSTED_PROXIES`` (addresses or networks, comma-separated) — the right-most address
    of ``X-Forwarded-For`` that is not itself a trusted proxy. Without that setting the header is
    ignored, since anyone can send it."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = _trusted_proxies()
    if not proxies:
        return remote

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in proxies)

    if not trusted(remote):
        return remote
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if not trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return remote


def _user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:200]


def start_session(
    request: HttpRequest, user: User, *, amr: list[str], method: str, upstream_issuer: str = "", acr: str = ""
) -> LoginSession:
    """Log ``user`` in: a new session key, its limits, its record, a login event, an audit entry."""
    absolute, idle = limits_for(user)
    now = timezone.now()
    # One transaction for the new session row, the last-login stamp and our records: one
    # commit instead of four. login() gives the session a new key (saved at once); the values
    # set below are written by the session middleware when the response goes out.
    with transaction.atomic():
        django_login(request, user, backend=_BACKEND)
        request.session.set_expiry(now + absolute)
        reached = acr or acr_for(user, amr)
        login = LoginSession.objects.create(
            user=user,
            session_key=request.session.session_key or "",
            started_at=now,
            auth_time=now,
            last_seen_at=now,
            expires_at=now + absolute,
            idle_seconds=int(idle.total_seconds()),
            acr=reached,
            amr=amr,
            ip=client_ip(request) or None,
            user_agent=_user_agent(request),
            upstream_issuer=upstream_issuer,
        )
        do_record_login_event(
            user, outcome=LoginOutcome.OK, method=method, ip=client_ip(request), user_agent=_user_agent(request)
        )
        audit.record(
            action="identity.login",
            actor=actor_of(user),
            subject_personal_id=user.person.personal_id if user.person is not None else "",
            object_type="login_session",
            object_id=str(login.pk),
            details={"amr": amr, "acr": reached, "ip": client_ip(request), "upstream": upstream_issuer},
        )
    request.session[LOGIN_KEY] = str(login.pk)
    _remember_facts(request, login)
    request.session[SEEN_KEY] = int(time.time())
    request.session[IDLE_KEY] = int(idle.total_seconds())
    request.session[REAUTH_KEY] = int(time.time())
    clear_pending(request)
    return login


def _touch(request: HttpRequest) -> None:
    now = int(time.time())
    seen = request.session.get(SEEN_KEY, 0)
    if now - int(seen) >= TOUCH_EVERY:
        request.session[SEEN_KEY] = now
        LoginSession.objects.filter(pk=str(request.session.get(LOGIN_KEY, ""))).update(last_seen_at=timezone.now())


def enforce(request: HttpRequest) -> bool:
    """Apply the idle limit to an authenticated request; False when the session was ended."""
    if not request.user.is_authenticated:
        return True
    seen = request.session.get(SEEN_KEY)
    idle = request.session.get(IDLE_KEY)
    if not isinstance(seen, int) or not isinstance(idle, int):
        # A session opened by code rather than by our login pages (a test's force_login): it
        # is watched from now on, with the limit of its kind of account.
        assert isinstance(request.user, User)
        request.session[SEEN_KEY] = int(time.time())
        request.session[IDLE_KEY] = int(limits_for(request.user)[1].total_seconds())
        return True
    if time.time() - seen > idle:
        end_current(request, reason="idle")
        return False
    _touch(request)
    return True


def _remember_facts(request: HttpRequest, login: LoginSession) -> None:
    request.session[FACTS_KEY] = {
        "acr": login.acr,
        "amr": list(login.amr),
        "auth_time": login.auth_time.timestamp(),
        "upstream": login.upstream_issuer,
    }


def current_login(request: HttpRequest) -> LoginSession | None:
    """The open login session of this request, within its limits, or None.

    Built from the session itself: a login that was ended (logout, the portal, a lock) has had
    its session row deleted in the same transaction, and the absolute limit is the session's
    own expiry, so the record need not be read. The returned object is not saved.
    """
    if not enforce(request) or not request.user.is_authenticated:
        return None
    facts: Any = request.session.get(FACTS_KEY)
    if LOGIN_KEY not in request.session or not isinstance(facts, dict):
        # Not logged in through our pages: identity's pages ask for a real login.
        return None
    try:
        login_id = uuid.UUID(str(request.session.get(LOGIN_KEY, "")))
        return LoginSession(
            id=login_id,
            user=request.user,
            acr=str(facts["acr"]),
            amr=[str(m) for m in facts["amr"]],
            auth_time=dt.datetime.fromtimestamp(float(facts["auth_time"]), tz=dt.UTC),
            upstream_issuer=str(facts.get("upstream", "")),
        )
    except (KeyError, TypeError, ValueError):
        end_current(request, reason="no_login_record")
        return None


def end_current(request: HttpRequest, *, reason: str) -> None:
    """Log this browser out and end its login record."""
    login_id = str(request.session.get(LOGIN_KEY, ""))
    user = request.user if request.user.is_authenticated else None
    django_logout(request)
    if login_id and isinstance(user, User):
        login = LoginSession.objects.select_related("user", "user__person").filter(pk=login_id).first()
        if login is not None:
            do_end_session(login, reason=reason, actor=actor_of(user))


def add_factor(request: HttpRequest, login: LoginSession, methods: list[str]) -> LoginSession:
    """Record a further factor proven in this session (step-up) and the level it now reaches."""
    amr = sorted(set(login.amr) | set(methods) | {"mfa"})
    acr = acr_for(login.user, amr)
    now = timezone.now()
    with transaction.atomic():
        LoginSession.objects.filter(pk=login.pk).update(amr=amr, acr=acr, auth_time=now)
        audit.record(
            action="identity.step_up",
            actor=actor_of(login.user),
            subject_personal_id=login.user.person.personal_id if login.user.person is not None else "",
            object_type="login_session",
            object_id=str(login.pk),
            details={"amr": amr, "acr": acr},
        )
    login.amr, login.acr, login.auth_time = amr, acr, now
    _remember_facts(request, login)
    mark_reauthenticated(request)
    return login


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTH_KEY] = int(time.time())


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(REAUTH_KEY)
    return isinstance(at, int) and time.time() - at <= REAUTH_WINDOW


# --- a login between its password and its second factor ---------------------------------------


@dataclass(frozen=True, slots=True)
class PendingLogin:
    user: User
    amr: list[str]
    next_url: str
    purpose: str


def set_pending(request: HttpRequest, user: User, *, amr: list[str], next_url: str, purpose: str = "login") -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "amr": amr,
        "next": next_url,
        "at": int(time.time()),
        "purpose": purpose,
        "nonce": uuid.uuid4().hex,
    }


def get_pending(request: HttpRequest, purpose: str = "login") -> PendingLogin | None:
    data: Any = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or data.get("purpose") != purpose:
        return None
    if time.time() - int(data.get("at", 0)) > PENDING_TTL:
        clear_pending(request)
        return None
    users = User.objects.select_related("person").filter(pk=int(data.get("user", 0)))
    # A self-locked account is inactive until the unlock code is entered.
    user = (users if purpose == "unlock" else users.filter(is_active=True)).first()
    if user is None:
        return None
    return PendingLogin(user=user, amr=list(data.get("amr", [])), next_url=str(data.get("next", "")), purpose=purpose)


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


class SessionPolicyMiddleware:
    """Ends sessions idle for longer than their limit, on every page of every app.

    Goes right after ``AuthenticationMiddleware`` in ``MIDDLEWARE``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if hasattr(request, "user") and hasattr(request, "session"):
            enforce(request)
        return self.get_response(request)
