"""The demographic parameters of the synthetic province: household shapes, ages, births, deaths.

Numbers, not code: tuned together so that a generated province comes out near the 2019 census of
Vietnam (3.5 people per household, about 24% under 15 and 8% aged 65 and over); the tests of
``dancu.registry.synthetic`` check that it stays there.
"""

from __future__ import annotations

import math
from datetime import date
from statistics import NormalDist
from typing import Final

from dancu.registry.synthetic.tables import Weighted

__all__ = [
    "AGE_ALONE_OLD",
    "AGE_COUPLE_OLD_WIFE",
    "AGE_GRANDMOTHER",
    "AGE_LIVING_WITH_PARENTS",
    "AGE_NUCLEAR_WIFE",
    "AGE_SINGLE_PARENT",
    "AS_OF",
    "BIRTH_SPACING",
    "DEATH_SHARE",
    "FIRST_BIRTH",
    "HOUSEHOLD_TYPES",
    "MOTHER_AT_FIRST_BIRTH",
    "MOTHER_AT_HEADS_BIRTH",
    "MOVED_CHILD",
    "MOVED_HEAD",
    "MOVED_HUSBAND",
    "MOVED_WIFE",
    "NORMAL",
    "SPOUSE_GAP",
    "STEPS",
    "TODAY",
    "YEAR",
    "staying_at_home",
]

#: The date the synthetic register describes (the day the 2025 unit reform took effect).
AS_OF: Final = date(2025, 7, 1)

YEAR: Final = 365.2425
TODAY: Final = AS_OF.toordinal()

# Household types and their shares, tuned so that the whole province comes out near the 2019
# census: about 3.5 people per household, one household in nine of one person, a pyramid with
# about 24% under 15 and 8% aged 65 and over.
HOUSEHOLD_TYPES: Final = Weighted(
    [
        ("single", 13.0),
        ("couple", 12.0),
        ("nuclear", 46.0),
        ("single_parent", 7.0),
        ("with_parents", 13.0),
        ("three_generations", 11.0),
    ]
)

# Share of people of an age (5-year bands from 0) whose record is closed as deceased: deaths of
# about the last 15 years stay in the register with status "deceased".
DEATH_SHARE: Final = (
    *(0.0003,) * 6,  # 0-29
    *(0.002,) * 4,  # 30-49
    0.008,  # 50-54
    0.012,  # 55-59
    0.025,  # 60-64
    0.045,  # 65-69
    0.08,  # 70-74
    0.14,  # 75-79
    0.22,  # 80-84
    0.32,  # 85-89
    0.45,  # 90+
)


def _bands(weights: dict[int, float]) -> Weighted[int]:
    return Weighted(list(weights.items()))


# Continuous draws come from quantile tables: one random() and an index instead of a call into
# random.triangular/gauss, which matters at millions of draws. 1,024 steps of a 10-year spread
# are 3.6 days apart, finer than anything a register shows.
STEPS: Final = 1024


def _triangular_days(low: float, high: float, mode: float) -> tuple[int, ...]:
    """Quantiles, in days, of a triangular distribution of years."""
    split = (mode - low) / (high - low)
    days = []
    for step in range(STEPS):
        u = (step + 0.5) / STEPS
        if u < split:
            years = low + math.sqrt(u * (high - low) * (mode - low))
        else:
            years = high - math.sqrt((1.0 - u) * (high - low) * (high - mode))
        days.append(int(years * YEAR))
    return tuple(days)


NORMAL: Final = tuple(NormalDist().inv_cdf((step + 0.5) / STEPS) for step in range(STEPS))
# Husband's age minus wife's: mostly 0-6 years, sometimes the wife is older.
SPOUSE_GAP: Final = _triangular_days(-2.0, 9.0, 2.5)
FIRST_BIRTH: Final = _triangular_days(18.5, 32.0, 23.0)
BIRTH_SPACING: Final = _triangular_days(1.3, 8.0, 3.0)
MOTHER_AT_HEADS_BIRTH: Final = _triangular_days(19.0, 40.0, 25.0)
MOTHER_AT_FIRST_BIRTH: Final = _triangular_days(19.0, 28.0, 22.0)


# Ages (5-year bands by their first year) of the person each household type starts from; tuned
# together with HOUSEHOLD_TYPES against the 2019 census pyramid (see the tests).
AGE_ALONE_OLD: Final = _bands({60: 20, 65: 17, 70: 11, 75: 9, 80: 10, 85: 11, 90: 6, 95: 2})
AGE_COUPLE_OLD_WIFE: Final = _bands({45: 12, 50: 16, 55: 24, 60: 22, 65: 12, 70: 6, 75: 4, 80: 3, 85: 1})
AGE_NUCLEAR_WIFE: Final = _bands({20: 6, 25: 13, 30: 16, 35: 15, 40: 14, 45: 12, 50: 7, 55: 4})
AGE_SINGLE_PARENT: Final = _bands({25: 8, 30: 14, 35: 16, 40: 16, 45: 14, 50: 10, 55: 6})
AGE_LIVING_WITH_PARENTS: Final = _bands({25: 14, 30: 22, 35: 20, 40: 17, 45: 14, 50: 10, 55: 3})
AGE_GRANDMOTHER: Final = _bands({50: 24, 55: 23, 60: 19, 65: 13, 70: 8, 75: 5, 80: 4, 85: 2})
# Probability that an adult's birth was registered outside the area they live in now.
MOVED_HEAD: Final = 0.22
MOVED_WIFE: Final = 0.32
MOVED_HUSBAND: Final = 0.2
MOVED_CHILD: Final = 0.07


def staying_at_home(age: float) -> float:
    """Share of a couple's children of this age still living in their parents' household."""
    if age < 18:
        return 0.97
    if age < 23:
        return 0.8
    if age < 30:
        return 0.35
    if age < 40:
        return 0.12
    return 0.03
