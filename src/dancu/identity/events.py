"""Identity's subscribers to other apps' domain events."""

from __future__ import annotations

from dancu.core.models import OutboxEvent
from dancu.identity.actions import do_lock_on_death

__all__ = ["lock_account_of_deceased"]


def lock_account_of_deceased(event: OutboxEvent) -> None:
    """``registry.person_died`` ``{"personal_id": ...}``: lock the account, end its sessions,
    revoke its tokens. Idempotent, as delivery is at least once."""
    personal_id = event.payload.get("personal_id")
    if isinstance(personal_id, str) and personal_id:
        do_lock_on_death(personal_id)
