"""Throttling failed logins without letting anyone lock a person out for good.

Three counters (NIST SP 800-63B-4 §3.2.2; OWASP "device cookies"):

- per *account from unknown devices*: after 5 consecutive failures each further attempt waits
  30 s, doubling to at most 15 minutes. The wait always ends; at most about 100 guesses a day
  get through, within the NIST limit of 100 consecutive failures.
- per *device cookie*: a browser that logged in to the account before carries a signed cookie
  and is judged by its own counter, so an attacker hammering the account from elsewhere never
  blocks the person on their own phone. A device cookie with 10 failures loses that privilege.
- per *IP address*: after 30 failures from one address, the same bounded back-off applies to
  every account tried from it by an unknown device. Behind a reverse proxy the address is the
  client's, taken from ``X-Forwarded-For`` only when the proxy is listed in
  ``DANCU_TRUSTED_PROXIES`` (see :func:`dancu.identity.sessions.client_ip`).

Keys are stored hashed, so the table holds no address or username in the clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dancu.identity.models import Throttle

__all__ = [
    "DEVICE_COOKIE",
    "DEVICE_COOKIE_MAX_AGE",
    "Verdict",
    "check",
    "device_cookie_value",
    "device_owner",
    "record_failure",
    "record_success",
]

ACCOUNT = "account"
DEVICE = "device"
IP = "ip"
FREE_FAILURES = {ACCOUNT: 5, DEVICE: 10, IP: 30}
FIRST_WAIT = dt.timedelta(seconds=30)
MAX_WAIT = dt.timedelta(minutes=15)
DEVICE_COOKIE = "dancu_device"
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 3600
_SALT = "dancu.identity.device"


def _key(scope: str, value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|{scope}|{value}".encode()).hexdigest()


def device_cookie_value(username: str) -> str:
    """A signed cookie saying "this browser logged in as ``username``"."""
    return signing.dumps({"u": username, "n": secrets.token_urlsafe(9)}, salt=_SALT, compress=False)


def device_owner(cookie: str | None) -> tuple[str, str] | None:
    """``(username, nonce)`` from a valid device cookie, else None."""
    if not cookie:
        return None
    try:
        data = signing.loads(cookie, salt=_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("n"), str):
        return None
    return data["u"], data["n"]


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    # Which counters a failure of this attempt goes to.
    scopes: tuple[tuple[str, str], ...] = ()
    # Whether any of those counters has a row (a success then has something to clear).
    counted: bool = False


def _wait_for(failures: int, scope: str) -> dt.timedelta:
    over = failures - FREE_FAILURES[scope]
    if over < 0:
        return dt.timedelta(0)
    wait: dt.timedelta = FIRST_WAIT * (2 ** min(over, 10))
    return min(wait, MAX_WAIT)


def check(*, username: str, ip: str, device_cookie: str | None) -> Verdict:
    """May a login attempt for ``username`` from this browser and address go ahead now?"""
    owner = device_owner(device_cookie)
    trusted = owner is not None and owner[0] == username
    scopes: list[tuple[str, str]] = []
    if trusted and owner is not None:
        device_key = _key(DEVICE, f"{owner[0]}|{owner[1]}")
        device = Throttle.objects.filter(scope=DEVICE, key=device_key).first()
        if device is None or device.failures < FREE_FAILURES[DEVICE]:
            scopes.append((DEVICE, device_key))
        else:
            trusted = False
    if not trusted:
        # A known device is judged by its own counter only: an office behind one address (or
        # an attacker sharing it) cannot keep the owner out through the address's counter.
        scopes += [(IP, _key(IP, ip)), (ACCOUNT, _key(ACCOUNT, username))]
    now = timezone.now()
    wait = 0
    rows = list(Throttle.objects.filter(scope__in=[s for s, _ in scopes], key__in=[k for _, k in scopes]))
    mine = [row for row in rows if (row.scope, row.key) in scopes]
    for row in mine:
        if row.blocked_until is not None and row.blocked_until > now:
            wait = max(wait, int((row.blocked_until - now).total_seconds()) + 1)
    counted = any(row.scope in {DEVICE, ACCOUNT} for row in mine)
    return Verdict(allowed=wait == 0, retry_after=wait, scopes=tuple(scopes), counted=counted)


def record_failure(verdict: Verdict) -> None:
    """Count a failed attempt against every counter the attempt was judged by."""
    now = timezone.now()
    for scope, key in verdict.scopes:
        updated = Throttle.objects.filter(scope=scope, key=key).update(failures=F("failures") + 1, last_failure_at=now)
        if not updated:
            try:
                with transaction.atomic():
                    Throttle.objects.create(scope=scope, key=key, failures=1, last_failure_at=now)
            except IntegrityError:
                Throttle.objects.filter(scope=scope, key=key).update(failures=F("failures") + 1, last_failure_at=now)
        row = Throttle.objects.get(scope=scope, key=key)
        wait = _wait_for(row.failures, scope)
        if wait:
            Throttle.objects.filter(pk=row.pk).update(blocked_until=now + wait)


def record_success(verdict: Verdict) -> None:
    """A correct password clears the counter the attempt was judged by (the device's, or the
    account's from unknown devices) but not the address's: one success must not hide a spray
    across many accounts, and a login from a known device must not reset a guesser's count."""
    if not verdict.counted:
        return
    keys = [k for s, k in verdict.scopes if s in {DEVICE, ACCOUNT}]
    Throttle.objects.filter(scope__in=[DEVICE, ACCOUNT], key__in=keys).delete()
