"""Row locks on the register, taken only here and always in primary-key order (STYLE.md §12).

On PostgreSQL ``SELECT … FOR UPDATE`` makes a second writer of the same person wait for the
first one's commit; SQLite has one writer at a time, and Django ignores the clause there.
"""

from __future__ import annotations

from django.db import transaction

from dancu.registry.errors import PersonNotFoundError
from dancu.registry.models import Person

__all__ = ["lock_person", "lock_persons"]


def lock_person(personal_id: str) -> Person:
    """The person with PERSONAL_ID, locked until the end of the current transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_person needs a transaction")
    person = Person.objects.select_for_update().filter(personal_id=personal_id).first()
    if person is None:
        raise PersonNotFoundError(personal_id)
    return person


def lock_persons(pks: list[int]) -> list[Person]:
    """Several persons, locked in primary-key order so that two writers never deadlock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_persons needs a transaction")
    return list(Person.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
