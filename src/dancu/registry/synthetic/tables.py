"""Weighted tables the synthetic province draws from, loaded from the CSV files in ``data/``.

Every file starts with ``#`` comment lines saying what it holds and where the numbers come from,
then a CSV header. Draws take a float in [0, 1) from the caller's ``random.Random`` so that a
whole province is reproducible from one seed.
"""

from __future__ import annotations

import csv
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Generic, TypeVar

__all__ = [
    "COHORT_STARTS",
    "NameTables",
    "Weighted",
    "cohort",
    "load_name_tables",
    "read_rows",
    "weighted_column",
]

T = TypeVar("T")

#: First birth year of each naming cohort, matching the b1930..b2005 columns of the name files.
COHORT_STARTS: tuple[int, ...] = (0, 1950, 1970, 1990, 2005)


def cohort(birth_year: int) -> int:
    """Index of the naming cohort of a birth year (0 = before 1950 ... 4 = 2005 and later)."""
    return bisect(COHORT_STARTS, birth_year) - 1


class Weighted(Generic[T]):
    """Items with relative weights; ``pick(u)`` maps a uniform ``u`` in [0, 1) to an item."""

    __slots__ = ("bounds", "cumulative", "items", "total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        kept = [(item, weight) for item, weight in pairs if weight > 0]
        if not kept:
            raise ValueError("a weighted table needs at least one positive weight")
        self.items: tuple[T, ...] = tuple(item for item, _ in kept)
        self.cumulative: tuple[float, ...] = tuple(accumulate(weight for _, weight in kept))
        self.total: float = self.cumulative[-1]
        # The last bound is infinite so that bisect never steps past the end, even when
        # u * total rounds up to total: no bounds check on the hot path.
        self.bounds: tuple[float, ...] = (*self.cumulative[:-1], float("inf"))

    def pick(self, u: float) -> T:
        """The item whose cumulative-weight interval holds ``u * total``."""
        return self.items[bisect(self.bounds, u * self.total)]

    def share(self, item: T) -> float:
        """The probability of ``item`` (0.0 when absent)."""
        total = 0.0
        previous = 0.0
        for candidate, cumulative in zip(self.items, self.cumulative, strict=True):
            if candidate == item:
                total += cumulative - previous
            previous = cumulative
        return total / self.total

    def __len__(self) -> int:
        return len(self.items)


def read_rows(filename: str) -> list[dict[str, str]]:
    """The rows of a data file as dicts, skipping its leading ``#`` comment lines."""
    data = resources.files("dancu.registry.synthetic").joinpath("data")
    text = data.joinpath(filename).read_text(encoding="utf-8")
    lines: Iterator[str] = (line for line in text.splitlines() if not line.startswith("#"))
    return list(csv.DictReader(lines))


def weighted_column(filename: str, item: str, weight: str) -> Weighted[str]:
    """A table of one column weighted by another, e.g. religions by their share."""
    return Weighted([(row[item], float(row[weight])) for row in read_rows(filename)])


@dataclass(frozen=True, slots=True)
class NameTables:
    """Surnames by region, and middle and given names by sex and naming cohort."""

    surnames_north: Weighted[str]
    surnames_south: Weighted[str]
    # [sex 0 = male, 1 = female][cohort]
    middle: tuple[tuple[Weighted[str], ...], ...]
    given: tuple[tuple[Weighted[str], ...], ...]


def _by_sex_and_cohort(filename: str, column: str) -> tuple[tuple[Weighted[str], ...], ...]:
    rows = read_rows(filename)
    columns = [f"b{start}" for start in (1930, *COHORT_STARTS[1:])]
    return tuple(
        tuple(Weighted([(row[column], float(row[c])) for row in rows if row["sex"] == sex]) for c in columns)
        for sex in ("male", "female")
    )


@cache
def load_name_tables() -> NameTables:
    """Load (once) the name tables shipped in ``data/``."""
    return NameTables(
        surnames_north=weighted_column("surnames.csv", "surname", "north"),
        surnames_south=weighted_column("surnames.csv", "surname", "south"),
        middle=_by_sex_and_cohort("middle_names.csv", "middle"),
        given=_by_sex_and_cohort("given_names.csv", "name"),
    )
