"""Cells normalised once per distinct value: a province of two million people has a few hundred
thousand distinct names, thirty thousand birth dates and a few hundred units, so each is checked
in Python (:mod:`~dancu.registry.importing.cells`) once, and the result joined back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final

import polars as pl

from dancu.registry.importing.cells import NameValue, Problem, UnitValue, check_date, check_name, check_text, check_unit
from dancu.registry.importing.flags import Rows
from dancu.registry.importing.reading import ROW
from dancu.registry.importing.report import RowError

__all__ = ["UNIT_KEYS", "date_columns", "name_columns", "text_column", "unit_columns", "word_column"]

#: The cells that together place a row (joined on all three).
UNIT_KEYS: Final = ("province_code", "commune_code", "commune_name")


def _unique(frame: pl.DataFrame, column: str) -> list[str]:
    return frame.get_column(column).unique().to_list()


def _replace(column: str, changes: dict[str, str]) -> pl.Expr:
    """COLUMN with some values replaced (most values are already in stored form)."""
    if not changes:
        return pl.col(column)
    return pl.col(column).replace(list(changes), list(changes.values()))


def word_column(rows: Rows, column: str, canonical: Callable[[str], str | None], code: str, message: str) -> pl.Expr:
    """A column of vocabulary words: each spelling mapped to its stored form, the unknown flagged
    (MESSAGE is formatted with ``value``); blank cells stay blank."""
    changes: dict[str, str] = {}
    problems: dict[str, Problem] = {}
    for value in _unique(rows.frame, column):
        if not value.strip():
            continue
        word = canonical(value)
        if word is None:
            problems[value] = Problem(code, message.format(value=value))
        elif word != value:
            changes[value] = word
    rows.flag_problems(column, problems)
    return _replace(column, changes)


def text_column(rows: Rows, column: str, limit: int) -> pl.Expr:
    """A free-text column in NFC with single spaces, at most LIMIT characters."""
    changes: dict[str, str] = {}
    problems: dict[str, Problem] = {}
    for value in _unique(rows.frame, column):
        checked = check_text(value, limit=limit)
        if isinstance(checked, Problem):
            problems[value] = checked
        elif checked != value:
            changes[value] = checked
    rows.flag_problems(column, problems)
    return _replace(column, changes)


def name_columns(rows: Rows) -> pl.DataFrame:
    """One row per distinct full name: the cell as read and its register parts."""
    raws: list[str] = []
    parts: list[NameValue] = []
    problems: dict[str, Problem] = {}
    for value in _unique(rows.frame, "full_name"):
        if not value.strip():
            continue  # reported as a required cell
        checked = check_name(value)
        if isinstance(checked, Problem):
            problems[value] = checked
            continue
        raws.append(value)
        parts.append(checked)
    rows.flag_problems("full_name", problems)
    return pl.DataFrame(
        {
            "full_name": pl.Series(raws, dtype=pl.Utf8),
            "_full_name": pl.Series([p.full_name for p in parts], dtype=pl.Utf8),
            "surname": pl.Series([p.surname for p in parts], dtype=pl.Utf8),
            "middle_name": pl.Series([p.middle_name for p in parts], dtype=pl.Utf8),
            "given_name": pl.Series([p.given_name for p in parts], dtype=pl.Utf8),
            "name_key": pl.Series([p.name_key for p in parts], dtype=pl.Utf8),
        }
    )


def date_columns(rows: Rows, column: str, *, today: dt.date) -> pl.DataFrame:
    """One row per distinct date cell: the cell, ``_<column>`` (Date) and its precision."""
    raws: list[str] = []
    dates: list[dt.date] = []
    precisions: list[str] = []
    problems: dict[str, Problem] = {}
    for value in _unique(rows.frame, column):
        if not value.strip():
            continue  # a required cell is reported as such; an optional one may be blank
        checked = check_date(value, today=today)
        if isinstance(checked, Problem):
            problems[value] = checked
            continue
        raws.append(value)
        dates.append(checked[0])
        precisions.append(checked[1])
    rows.flag_problems(column, problems)
    return pl.DataFrame(
        {
            column: pl.Series(raws, dtype=pl.Utf8),
            f"_{column}": pl.Series(dates, dtype=pl.Date),
            f"_{column}_precision": pl.Series(precisions, dtype=pl.Utf8),
        }
    )


def unit_columns(rows: Rows, *, home_province: str) -> pl.DataFrame:
    """One row per distinct (province, commune, name) cells: where they place the person now,
    and the unit as given. Refused combinations are flagged on ``commune_code``; a split former
    commune is a warning."""
    combos = rows.frame.select(*UNIT_KEYS).unique()
    good: list[tuple[str, str, str, UnitValue]] = []
    bad: list[tuple[str, str, str, Problem]] = []
    for province, commune, name in combos.iter_rows():
        if not commune.strip():
            continue  # reported as a required cell
        checked = check_unit(province, commune, name, home_province=home_province)
        if isinstance(checked, Problem):
            bad.append((province, commune, name, checked))
        else:
            good.append((province, commune, name, checked))
    for problems, target in (
        ([(b[0], b[1], b[2], b[3]) for b in bad], rows.errors),
        ([(g[0], g[1], g[2], g[3].warning) for g in good if g[3].warning is not None], rows.warnings),
    ):
        if not problems:
            continue
        keyed = pl.DataFrame(
            {
                **{key: pl.Series([p[i] for p in problems], dtype=pl.Utf8) for i, key in enumerate(UNIT_KEYS)},
                "_problem": pl.Series(range(len(problems)), dtype=pl.Int64),
            }
        )
        hits = rows.frame.select(ROW, *UNIT_KEYS).join(keyed, on=list(UNIT_KEYS), how="inner")
        for row, commune, index in hits.select(ROW, "commune_code", "_problem").iter_rows():
            problem = problems[index][3]
            assert problem is not None
            target.append(RowError(row, "commune_code", commune, problem.code, problem.message))
    values = [g[3] for g in good]
    return pl.DataFrame(
        {
            **{key: pl.Series([g[i] for g in good], dtype=pl.Utf8) for i, key in enumerate(UNIT_KEYS)},
            "_commune_code": pl.Series([v.commune_code for v in values], dtype=pl.Utf8),
            "_province_code": pl.Series([v.province_code for v in values], dtype=pl.Utf8),
            "recorded_unit_code": pl.Series([v.recorded_code for v in values], dtype=pl.Utf8),
            "recorded_unit_era": pl.Series([v.recorded_era for v in values], dtype=pl.Utf8),
            "recorded_unit_name": pl.Series([v.recorded_name for v in values], dtype=pl.Utf8),
            "unit_mapped": pl.Series([v.mapped for v in values], dtype=pl.Boolean),
        }
    )
