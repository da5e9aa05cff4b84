"""Checks between rows: parents and spouses, and households.

- A father, mother or spouse is a well-formed personal ID, not the person's own, of the right sex
  (father male, mother female), and either on a row of the file that passed or in the register.
  Refusing a row can orphan the rows that point at it: those are refused too, with their own
  reason, until nothing changes, so ``--skip-invalid`` never writes a dangling reference.
- Two rows that name each other's spouse agree.
- A household has at most one head, and all its rows are in one commune (its head's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Final

import polars as pl

from dancu.core.personal_id import PROVINCE_CODES, InvalidPersonalId, parse_personal_id
from dancu.registry.importing.flags import Rows
from dancu.registry.importing.reading import ROW
from dancu.registry.importing.report import RowError
from dancu.registry.vocabulary import HEAD_OF_HOUSEHOLD

__all__ = [
    "LINKS",
    "check_households",
    "check_link_cells",
    "check_link_targets",
    "explain_personal_id",
    "personal_id_ok",
    "pid_sex",
    "pid_year",
]

#: (file column, register-form column, parity of the sex digit or None, words for messages)
LINKS: Final[tuple[tuple[str, str, int | None, tuple[str, str, str, str]], ...]] = (
    ("father_id", "father_pid", 0, ("cha", "father", "nam", "male")),
    ("mother_id", "mother_pid", 1, ("mẹ", "mother", "nữ", "female")),
    ("spouse_id", "spouse_pid", None, ("vợ/chồng", "spouse", "", "")),
)
_COLUMN_OF: Final = {pid_column: column for column, pid_column, _, _ in LINKS}
_PROVINCES: Final = sorted(PROVINCE_CODES)
_CENTURY_START: Final[dict[int, int]] = {
    0: 1900,
    1: 1900,
    2: 2000,
    3: 2000,
    4: 2100,
    5: 2100,
    6: 2200,
    7: 2200,
    8: 1800,
    9: 1800,
}


def personal_id_ok(expr: pl.Expr, *, today: dt.date) -> pl.Expr:
    """True where EXPR (whitespace already removed) parses with ``parse_personal_id``.

    Column-wise twin of the scalar parser; a property test holds the two together.
    """
    return (
        expr.str.contains(r"^[0-9]{12}$")
        & expr.str.slice(0, 3).is_in(_PROVINCES)
        & (pid_year(expr) <= today.year).fill_null(False)
    )


def pid_year(expr: pl.Expr) -> pl.Expr:
    """The birth year a personal ID encodes."""
    century = expr.str.slice(3, 1).cast(pl.Int32, strict=False)
    return century.replace_strict(_CENTURY_START, default=None, return_dtype=pl.Int32) + expr.str.slice(4, 2).cast(
        pl.Int32, strict=False
    )


def pid_sex(expr: pl.Expr) -> pl.Expr:
    """The sex a personal ID encodes ("male"/"female")."""
    parity = expr.str.slice(3, 1).cast(pl.Int32, strict=False) % 2
    return pl.when(parity == 1).then(pl.lit("female")).otherwise(pl.lit("male"))


def explain_personal_id(value: str, today: dt.date) -> str:
    """The parser's reason for refusing VALUE."""
    try:
        parse_personal_id(value, today=today)
    except InvalidPersonalId as exc:
        return str(exc)
    return "Số định danh không hợp lệ / Invalid personal ID"  # pragma: no cover - the twins agree


def _references(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per reference given: (row, personal_id, _link, _ref)."""
    return (
        frame.select(ROW, "personal_id", *_COLUMN_OF)
        .unpivot(index=[ROW, "personal_id"], on=list(_COLUMN_OF), variable_name="_link", value_name="_ref")
        .filter(pl.col("_ref") != "")
    )


def check_link_cells(rows: Rows, *, today: dt.date) -> pl.DataFrame:
    """Check each father, mother and spouse cell on its own (well formed, not oneself, the right
    sex); return the well-formed references as (row, personal_id, _link, _ref)."""
    refs = _references(rows.frame).with_columns(personal_id_ok(pl.col("_ref"), today=today).alias("_ok"))
    for column, pid_column, parity, (vi, en, sex_vi, sex_en) in LINKS:
        mine = refs.filter(pl.col("_link") == pid_column)
        rows.flag(
            ~pl.col("_ok"),
            column,
            "reference.invalid",
            lambda value, _: explain_personal_id(value, today),
            value=pl.col("_ref"),
            frame=mine,
        )
        rows.flag(
            pl.col("_ref") == pl.col("personal_id"),
            column,
            "reference.self",
            f"Số định danh của {vi} trùng với chính người này / the {en}'s ID is the person's own",
            value=pl.col("_ref"),
            frame=mine,
        )
        if parity is not None:
            rows.flag(
                pl.col("_ok") & (pl.col("_ref").str.slice(3, 1).cast(pl.Int32, strict=False) % 2 != parity),
                column,
                "reference.sex",
                f"Số định danh của {vi} phải là của người {sex_vi} / the {en}'s ID must be a {sex_en}'s",
                value=pl.col("_ref"),
                frame=mine,
            )
    return refs.filter(pl.col("_ok"))


def check_link_targets(rows: Rows, refs: pl.DataFrame, known_personal_ids: Callable[[Iterable[str]], set[str]]) -> None:
    """References (from :func:`check_link_cells`) must point at a row that passed or at a person
    of the register (``known_personal_ids`` says which are); spouses must agree."""
    _check_existence(rows, refs, known_personal_ids)
    _check_spouses(rows)


def _check_existence(rows: Rows, refs: pl.DataFrame, known_personal_ids: Callable[[Iterable[str]], set[str]]) -> None:
    frame = rows.frame.select(ROW, "personal_id")
    outside = refs.select(pl.col("_ref").alias("personal_id")).unique().join(frame, on="personal_id", how="anti")
    in_register = pl.DataFrame(
        {
            "personal_id": pl.Series(
                sorted(known_personal_ids(outside.get_column("personal_id").to_list())), dtype=pl.Utf8
            )
        }
        if outside.height
        else {"personal_id": pl.Series([], dtype=pl.Utf8)}
    )
    their_rows = frame.select(pl.col("personal_id").alias("_ref"), pl.col(ROW).alias("_their_row"))
    reported = {(e.row, e.column) for e in rows.errors}
    while True:
        bad = rows.bad_rows()
        available = pl.concat([frame.filter(~pl.col(ROW).is_in(bad)).select("personal_id"), in_register])
        missing = (
            refs.filter(~pl.col(ROW).is_in(bad))
            .join(available, left_on="_ref", right_on="personal_id", how="anti")
            .join(their_rows, on="_ref", how="left")
        )
        found: list[RowError] = []
        for row, link, pid, their_row in missing.select(ROW, "_link", "_ref", "_their_row").iter_rows():
            column = _COLUMN_OF[link]
            if (row, column) in reported:
                continue
            reported.add((row, column))
            if their_row is not None:
                found.append(
                    RowError(
                        row,
                        column,
                        pid,
                        "reference.refused",
                        f"Người này (dòng {their_row}) bị từ chối / refers to row {their_row}, which is refused",
                    )
                )
            else:
                found.append(
                    RowError(
                        row,
                        column,
                        pid,
                        "reference.unknown",
                        f"Không có người mang số {pid} trong tệp hoặc trong sổ / nobody with ID {pid} in the file or the register",
                    )
                )
        if not rows.add(found):
            return


def _check_spouses(rows: Rows) -> None:
    """Two rows that name each other's spouse must agree."""
    frame = (
        rows.frame.lazy().filter(~pl.col(ROW).is_in(rows.bad_rows())).select(ROW, "personal_id", "spouse_pid").collect()
    )
    theirs = frame.select(
        pl.col("personal_id").alias("spouse_pid"),
        pl.col("spouse_pid").alias("_their_spouse"),
        pl.col(ROW).alias("_their_row"),
    )
    disagree = (
        frame.filter(pl.col("spouse_pid") != "")
        .join(theirs, on="spouse_pid")
        .filter((pl.col("_their_spouse") != "") & (pl.col("_their_spouse") != pl.col("personal_id")))
    )
    rows.add(
        RowError(
            row,
            "spouse_id",
            spouse,
            "reference.spouse_mismatch",
            f"Dòng {their_row} ghi vợ/chồng khác / row {their_row} names another spouse",
        )
        for row, spouse, their_row in disagree.select(ROW, "spouse_pid", "_their_row").iter_rows()
    )


def check_households(rows: Rows) -> None:
    """One head per household; every row of a household in its head's commune (or, without a
    head, its first row's). Judged on the rows that passed so far."""
    passed = (
        rows.frame.lazy()
        .filter(~pl.col(ROW).is_in(rows.bad_rows()) & (pl.col("household_code") != ""))
        .select(ROW, "household_code", "_relation", "_commune_code", "commune_code")
        .collect()
    )
    heads = passed.filter(pl.col("_relation") == HEAD_OF_HOUSEHOLD).with_columns(
        pl.col(ROW).min().over("household_code").alias("_first")
    )
    rows.add(
        RowError(
            row,
            "relation_to_head",
            HEAD_OF_HOUSEHOLD,
            "household.two_heads",
            f"Hộ {code} đã có chủ hộ ở dòng {first} / household {code} already has its head at row {first}",
        )
        for row, code, first in heads.filter(pl.col(ROW) != pl.col("_first"))
        .select(ROW, "household_code", "_first")
        .iter_rows()
    )
    # Only households whose rows disagree need a closer look; nearly all agree.
    split = (
        passed.group_by("household_code")
        .agg(pl.col("_commune_code").min().alias("_low"), pl.col("_commune_code").max().alias("_high"))
        .filter(pl.col("_low") != pl.col("_high"))
        .select("household_code")
    )
    mixed = passed.join(split, on="household_code", how="semi")
    anchor = (
        mixed.sort(pl.col("_relation") != HEAD_OF_HOUSEHOLD, ROW)
        .group_by("household_code", maintain_order=True)
        .agg(pl.col("_commune_code").first().alias("_household_commune"), pl.col(ROW).first().alias("_anchor_row"))
    )
    elsewhere = mixed.join(anchor, on="household_code").filter(pl.col("_commune_code") != pl.col("_household_commune"))
    rows.add(
        RowError(
            row,
            "commune_code",
            commune,
            "household.communes",
            f"Hộ {code} ở xã khác (xem dòng {anchor_row}) / household {code} is in another commune (see row {anchor_row})",
        )
        for row, commune, code, anchor_row in elsewhere.select(
            ROW, "commune_code", "household_code", "_anchor_row"
        ).iter_rows()
    )
