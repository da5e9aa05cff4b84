"""Checking a password login: throttling, the password, the account's state. Every attempt on a
known account is a login event the citizen sees, and every attempt is an audit entry (without
the password, and without the username typed when it matches no account)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from dancu.core import audit
from dancu.core.audit import Actor
from dancu.core.models import ActorKind, Outcome
from dancu.identity import throttling
from dancu.identity.actors import actor_of
from dancu.identity.models import LockReason, LoginEvent, LoginOutcome, TotpDevice, User, UserKind
from dancu.identity.passwords import normalise

__all__ = ["PasswordCheck", "check_password_login", "do_record_login_event", "needs_totp"]


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """The result of a password step. ``outcome`` is one of ``ok``, ``failed``, ``throttled``,
    ``locked`` and ``self_locked`` (locked by the citizen: may unlock with a code)."""

    outcome: str
    user: User | None = None
    retry_after: int = 0


def needs_totp(user: User) -> bool:
    """Officers and administrators always; citizens once they enrolled an authenticator."""
    if user.kind in {UserKind.OFFICER, UserKind.ADMIN}:
        return True
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def do_record_login_event(
    user: User, *, outcome: str, method: str, ip: str | None, user_agent: str, client_name: str = ""
) -> None:
    LoginEvent.objects.create(
        user=user,
        outcome=outcome,
        method=method,
        ip=ip or None,
        user_agent=user_agent[:200],
        client_name=client_name[:200],
    )


def check_password_login(
    username: str, password: str, *, ip: str, user_agent: str, device_cookie: str | None
) -> PasswordCheck:
    """Check one password attempt (see :mod:`dancu.identity.throttling` for the waits)."""
    username = username.strip()
    verdict = throttling.check(username=username, ip=ip, device_cookie=device_cookie)
    user = User.objects.select_related("person").filter(username=username).first()
    details = {"method": "password", "ip": ip}
    if not verdict.allowed:
        with transaction.atomic():
            if user is not None:
                do_record_login_event(
                    user, outcome=LoginOutcome.THROTTLED, method="password", ip=ip, user_agent=user_agent
                )
            audit.record(
                action="identity.login_throttled",
                actor=actor_of(user) if user is not None else Actor(kind=ActorKind.ANONYMOUS),
                outcome=Outcome.REFUSED,
                details=details | {"retry_after": verdict.retry_after},
            )
        return PasswordCheck("throttled", retry_after=verdict.retry_after)
    if user is None:
        # Hash anyway so that an unknown username takes as long as a wrong password.
        User().set_password(password)
        with transaction.atomic():
            throttling.record_failure(verdict)
            audit.record(
                action="identity.login_failed",
                actor=Actor(kind=ActorKind.ANONYMOUS),
                outcome=Outcome.FAILED,
                details=details,
            )
        return PasswordCheck("failed")
    if not user.check_password(normalise(password)):
        with transaction.atomic():
            throttling.record_failure(verdict)
            do_record_login_event(user, outcome=LoginOutcome.FAILED, method="password", ip=ip, user_agent=user_agent)
            audit.record(
                action="identity.login_failed",
                actor=actor_of(user),
                outcome=Outcome.FAILED,
                subject_personal_id=user.person.personal_id if user.person is not None else "",
                details=details,
            )
        return PasswordCheck("failed")
    throttling.record_success(verdict)
    if user.is_locked:
        with transaction.atomic():
            do_record_login_event(user, outcome=LoginOutcome.LOCKED, method="password", ip=ip, user_agent=user_agent)
            audit.record(
                action="identity.login_refused",
                actor=actor_of(user),
                outcome=Outcome.REFUSED,
                subject_personal_id=user.person.personal_id if user.person is not None else "",
                details=details | {"reason": "locked", "lock_reason": user.lock_reason},
            )
        return PasswordCheck("self_locked" if user.lock_reason == LockReason.SELF else "locked", user=user)
    return PasswordCheck("ok", user=user)
