"""The working-day calendar and legal time limits."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancu.core.workdays import (
    add_working_days,
    calendar_days,
    deadline_for,
    is_working_day,
    working_days_between,
)

D = dt.date


def test_it_knows_weekends_and_holidays() -> None:
    assert is_working_day(D(2025, 1, 2))  # Thursday
    assert not is_working_day(D(2025, 1, 4))  # Saturday
    assert not is_working_day(D(2025, 1, 1))  # New Year
    assert not is_working_day(D(2025, 1, 29))  # first day of Tết Ất Tỵ
    assert not is_working_day(D(2025, 9, 1))  # National Day's adjoining day


def test_it_counts_a_make_up_saturday_as_a_working_day() -> None:
    assert is_working_day(D(2025, 4, 26))
    assert not is_working_day(D(2025, 5, 2))


def test_it_skips_tet_when_adding_working_days() -> None:
    # Received Friday 24 Jan 2025; 3 working days: Tết runs 27–31 Jan, so 3, 4, 5 Feb.
    assert add_working_days(D(2025, 1, 24), 3) == D(2025, 2, 5)


def test_it_moves_a_same_day_limit_off_a_holiday() -> None:
    assert add_working_days(D(2025, 1, 1), 0) == D(2025, 1, 2)
    assert add_working_days(D(2025, 1, 2), 0) == D(2025, 1, 2)


def test_it_counts_a_dossier_received_after_the_cutoff_from_the_next_day() -> None:
    morning = dt.datetime(2025, 3, 3, 9, 0)  # Monday
    evening = dt.datetime(2025, 3, 3, 16, 0)
    assert deadline_for(morning, 2) == D(2025, 3, 5)
    assert deadline_for(evening, 2) == D(2025, 3, 6)
    assert deadline_for(morning, 0) == D(2025, 3, 3)


def test_it_counts_a_dossier_received_on_a_weekend_from_monday() -> None:
    saturday = dt.datetime(2025, 3, 8, 10, 0)
    assert deadline_for(saturday, 0) == D(2025, 3, 10)
    assert deadline_for(saturday, 1) == D(2025, 3, 11)


def test_it_falls_back_to_fixed_holidays_for_years_without_data() -> None:
    assert not is_working_day(D(2031, 9, 2))
    assert is_working_day(D(2031, 9, 3))


def test_it_names_a_source_for_every_day() -> None:
    days = calendar_days()
    assert len(days) == 38
    assert all(day.source for day in days.values())
    assert days[D(2026, 11, 24)].name == "Ngày Văn hóa Việt Nam"


def test_it_refuses_negative_limits() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(D(2025, 1, 2), -1)


@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31)), st.integers(min_value=0, max_value=60))
def test_it_counts_back_what_it_added(start: dt.date, days: int) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end)
    if days > 0:
        assert working_days_between(start, end) == days
