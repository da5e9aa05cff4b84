"""Which member organisation codes exist: the agencies officers work for and linkage jobs belong to.

The exchange owns the member organisations (``exchange.Member``) and registers its lookup here
from its ``ready``, so identity (an officer's ``organisation``) can check a code without
importing the exchange, as domain events and sweeps let a higher app serve a lower one.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Lookup", "member_name", "provide"]

#: ``code -> the member's name``, or None when no member organisation has that code.
Lookup = Callable[[str], str | None]
_lookups: list[Lookup] = []


def provide(lookup: Lookup) -> Lookup:
    """Register where member organisation codes are looked up (call from an app's ``ready``)."""
    if lookup not in _lookups:
        _lookups.append(lookup)
    return lookup


def member_name(code: str) -> str | None:
    """The name of the member organisation with ``code``; None when there is none (or when no
    app that keeps member organisations is installed)."""
    for lookup in _lookups:
        name = lookup(code)
        if name is not None:
            return name
    return None
