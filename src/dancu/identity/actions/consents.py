"""Consent to release claims to a client: granted on the consent screen, revoked in the portal."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from dancu.core import audit
from dancu.core.models import Outcome
from dancu.identity.actions.tokens import do_revoke_tokens_of_user
from dancu.identity.actors import actor_of
from dancu.identity.models import Client, Consent, User

__all__ = ["do_grant_consent", "do_record_consent_refused", "do_revoke_consent"]


def _personal_id(user: User) -> str:
    return user.person.personal_id if user.person is not None else ""


def do_grant_consent(user: User, client: Client, *, claims: Sequence[str], scopes: Sequence[str]) -> Consent:
    """Record consent to exactly ``claims``; it replaces the citizen's earlier consent to this client."""
    now = timezone.now()
    with transaction.atomic():
        Consent.objects.filter(user=user, client=client, revoked_at__isnull=True).update(revoked_at=now)
        consent = Consent.objects.create(
            user=user, client=client, claims=list(claims), scopes=sorted(scopes), granted_at=now
        )
        audit.record(
            action="identity.consent_granted",
            actor=actor_of(user),
            subject_personal_id=_personal_id(user),
            object_type="client",
            object_id=client.client_id,
            fields=list(claims),
            details={"client_name": client.name, "scopes": sorted(scopes)},
        )
    return consent


def do_record_consent_refused(user: User, client: Client, *, claims: Sequence[str]) -> None:
    audit.record(
        action="identity.consent_refused",
        actor=actor_of(user),
        outcome=Outcome.REFUSED,
        subject_personal_id=_personal_id(user),
        object_type="client",
        object_id=client.client_id,
        fields=list(claims),
    )


def do_revoke_consent(user: User, client: Client) -> bool:
    """Withdraw consent: the client's tokens for this person stop working at once."""
    now = timezone.now()
    with transaction.atomic():
        revoked = Consent.objects.filter(user=user, client=client, revoked_at__isnull=True).update(revoked_at=now)
        if not revoked:
            return False
        audit.record(
            action="identity.consent_revoked",
            actor=actor_of(user),
            subject_personal_id=_personal_id(user),
            object_type="client",
            object_id=client.client_id,
        )
        do_revoke_tokens_of_user(user, reason="consent_revoked", actor=actor_of(user), client=client)
    return True
