"""Assurance levels: the e-ID level carried as ``acr``, the methods carried as ``amr`` (RFC 8176),
and the age rules of Decree 69/2024.

A login reaches ``level2`` only when the account is level 2 *and* the person proved a second
factor in this session (a one-time code by SMS or an authenticator app); a level-2 account that
logged in with its password alone is at ``level1`` until it steps up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dancu.identity.models import EidLevel, User

__all__ = [
    "ACR_BY_LEVEL",
    "ACR_LEVEL1",
    "ACR_LEVEL2",
    "ACR_STAFF",
    "LEVEL_BY_ACR",
    "MIN_AGE_LEVEL2",
    "MIN_AGE_SELF_REGISTRATION",
    "SECOND_FACTORS",
    "acr_for",
    "age_on",
    "level_of_acr",
    "required_level",
]

ACR_LEVEL1 = "urn:dancu:eid:level1"
ACR_LEVEL2 = "urn:dancu:eid:level2"
# Officers and administrators: organisation staff accounts carry no e-ID level (Decree 69
# Art. 12 gives levels to citizens only); they always log in with two factors.
ACR_STAFF = "urn:dancu:staff:mfa"
ACR_BY_LEVEL = {EidLevel.LEVEL1: ACR_LEVEL1, EidLevel.LEVEL2: ACR_LEVEL2}
LEVEL_BY_ACR = {ACR_LEVEL1: 1, ACR_LEVEL2: 2}
SECOND_FACTORS = frozenset({"otp", "sms"})

# Decree 69/2024 Art. 12-13 (see docs/standards/decree-69-2024.md): from 14 a citizen registers
# level 1 online by themselves; 6 to 14 on request through a guardian; under 6 level 1 only,
# through a guardian who has level 2. Level 2 is issued in person from 6 years old.
MIN_AGE_SELF_REGISTRATION = 14
MIN_AGE_LEVEL2 = 6


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years of age on ``day``."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def acr_for(user: User, amr: Iterable[str]) -> str:
    """The ``acr`` a login of ``user`` with methods ``amr`` reaches."""
    if user.is_citizen:
        if user.eid_level >= EidLevel.LEVEL2 and SECOND_FACTORS & set(amr):
            return ACR_LEVEL2
        if user.eid_level >= EidLevel.LEVEL1:
            return ACR_LEVEL1
        return ""
    return ACR_STAFF


def level_of_acr(acr: str) -> int:
    """The e-ID level an ``acr`` value stands for (0 for staff and unknown values)."""
    return LEVEL_BY_ACR.get(acr, 0)


class UnsupportedAcrError(ValueError):
    """None of the requested ``acr_values`` is one this provider issues."""


def required_level(acr_values: str | None, client_min_level: int) -> int:
    """The lowest e-ID level acceptable for an authorization request.

    ``acr_values`` lists acceptable values; any of them will do, so the lowest level listed is
    required. The client's registered minimum always applies, whatever the request says.
    Unknown values are refused rather than ignored: answering them with a lower level than the
    service meant to ask for is what the issue forbids.
    """
    level = client_min_level
    if acr_values:
        known = [LEVEL_BY_ACR[v] for v in acr_values.split() if v in LEVEL_BY_ACR]
        if not known:
            raise UnsupportedAcrError(acr_values)
        level = max(level, min(known))
    return level
