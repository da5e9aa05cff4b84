"""Who an identity account is, in the audit log's terms."""

from __future__ import annotations

from dancu.core.audit import Actor
from dancu.core.models import ActorKind
from dancu.identity.models import Client, User, UserKind

__all__ = ["actor_of", "actor_of_client"]

_KIND = {UserKind.CITIZEN: ActorKind.CITIZEN, UserKind.OFFICER: ActorKind.OFFICER, UserKind.ADMIN: ActorKind.OFFICER}


def actor_of(user: User) -> Actor:
    """The audit actor for an account (administrators are recorded as officers)."""
    return Actor(kind=_KIND.get(UserKind(user.kind), ActorKind.OFFICER), id=user.username)


def actor_of_client(client: Client, on_behalf_of: str = "") -> Actor:
    """The audit actor for a client acting by itself or for a person."""
    return Actor(
        kind=ActorKind.MACHINE, id=client.client_id, on_behalf_of=on_behalf_of, organisation=client.organisation
    )
