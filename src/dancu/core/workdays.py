"""Working days and legal time limits (DESIGN.md §3, §5).

The calendar is data (``core/data/workdays.toml``): public holidays, compensation days off, and
weekend days worked to make up for a swap, each with its source. Time limits count working days
from the day after a dossier is received (Civil Code 2015, Art. 147), and a limit that would end
on a day off ends on the next working day (Art. 148).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

__all__ = [
    "CalendarDay",
    "add_working_days",
    "calendar_days",
    "deadline_for",
    "is_working_day",
    "working_days_between",
]

DayKind = Literal["holiday", "day_off", "working_day"]
_DATA = Path(__file__).with_name("data") / "workdays.toml"
# Art. 112's fixed solar holidays, used for years the data file does not cover yet.
_FIXED_SOLAR = ((1, 1), (4, 30), (5, 1), (9, 2))


@dataclass(frozen=True, slots=True)
class CalendarDay:
    date: dt.date
    kind: DayKind
    name: str
    source: str
    confirmed: bool = True


@cache
def calendar_days() -> dict[dt.date, CalendarDay]:
    """Every listed day, by date."""
    with _DATA.open("rb") as handle:
        raw = tomllib.load(handle)
    days: dict[dt.date, CalendarDay] = {}
    for item in raw["day"]:
        day = CalendarDay(
            date=item["date"],
            kind=item["kind"],
            name=item["name"],
            source=item["source"],
            confirmed=item.get("confirmed", True),
        )
        if day.date in days:
            raise ValueError(f"{_DATA}: {day.date} is listed twice")
        days[day.date] = day
    return days


@cache
def _covered_years() -> frozenset[int]:
    return frozenset(day.year for day in calendar_days())


def is_working_day(day: dt.date) -> bool:
    """True on a day public offices work."""
    listed = calendar_days().get(day)
    if listed is not None:
        return listed.kind == "working_day"
    if day.weekday() >= 5:
        return False
    if day.year not in _covered_years():
        return (day.month, day.day) not in _FIXED_SOLAR
    return True


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (counting begins the next day).

    With ``days == 0`` the result is ``start`` itself when it is a working day, else the next
    working day: a "same working day" limit.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    if days == 0:
        while not is_working_day(current):
            current += dt.timedelta(days=1)
        return current
    counted = 0
    while counted < days:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=offset)))


def deadline_for(received_at: dt.datetime, working_days: int, *, cutoff: dt.time = dt.time(15, 0)) -> dt.date:
    """The last day of a legal time limit for a dossier received at ``received_at`` (local time).

    A dossier received on a day off, or on a working day after ``cutoff``, counts as received
    on the next working day, as one-stop shops do.
    """
    received = received_at.date()
    if not is_working_day(received) or received_at.time() >= cutoff:
        received = add_working_days(received, 1)
    return add_working_days(received, working_days)
