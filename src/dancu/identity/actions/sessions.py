"""Ending login sessions: by the citizen from the portal, on logout, when an account is locked."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dancu.core import audit
from dancu.core.audit import Actor
from dancu.identity.models import LoginSession, Token, User

__all__ = ["do_end_session", "do_end_sessions_of_user"]


def _delete_django_session(session_key: str) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key).delete()


def do_end_session(login: LoginSession, *, reason: str, actor: Actor) -> bool:
    """End one login session: its browser session is deleted and the refresh tokens issued
    through it are revoked. False when it had already ended."""
    now = timezone.now()
    with transaction.atomic():
        ended = LoginSession.objects.filter(pk=login.pk, ended_at__isnull=True).update(ended_at=now, end_reason=reason)
        if not ended:
            return False
        Token.objects.filter(login_session=login, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason="session_ended"
        )
        audit.record(
            action="identity.session_ended",
            actor=actor,
            subject_personal_id=_personal_id(login.user),
            object_type="login_session",
            object_id=str(login.pk),
            details={"reason": reason},
        )
        # In the same transaction: a login record is ended exactly when its browser session is
        # gone, so pages can trust the session alone (sessions.current_login).
        _delete_django_session(login.session_key)
    return True


def do_end_sessions_of_user(user: User, *, reason: str, actor: Actor, keep: LoginSession | None = None) -> int:
    """End every open session of ``user`` (but ``keep``); return how many were ended."""
    sessions = LoginSession.objects.filter(user=user, ended_at__isnull=True).select_related("user")
    if keep is not None:
        sessions = sessions.exclude(pk=keep.pk)
    return sum(1 for login in list(sessions) if do_end_session(login, reason=reason, actor=actor))


def _personal_id(user: User) -> str:
    return user.person.personal_id if user.person_id is not None and user.person is not None else ""
