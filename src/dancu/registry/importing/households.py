"""Households of an import: which exist, which are new, which moved or changed head.

A household's commune and address are its head's row's (or, without a head in the file, its
first row's); its head is the row whose relation is "Chủ hộ". An existing household is only
changed by a file that has its head's row; the changes keep their before/after in
:class:`~dancu.registry.models.HouseholdChange`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from dancu.registry.importing.bulk import BulkLoader, fetch_by_keys
from dancu.registry.models import Household, HouseholdChange, Person
from dancu.registry.public_ids import random_public_ids
from dancu.registry.vocabulary import HEAD_OF_HOUSEHOLD

__all__ = ["HouseholdPlan", "resolve_households"]

HOUSEHOLD: Final = Household._meta.db_table
HOUSEHOLD_CHANGE: Final = HouseholdChange._meta.db_table
PERSON: Final = Person._meta.db_table

IMPORT_UPDATE: Final = "registry.import.update"


@dataclass(slots=True)
class HouseholdPlan:
    """``created``: rows to insert; ``ids``: household code -> id for every code in the file."""

    created: pl.DataFrame
    ids: pl.DataFrame
    updated: int


def resolve_households(
    frame: pl.DataFrame,
    *,
    ids: pl.DataFrame,
    covered: frozenset[str],
    loader: BulkLoader,
    batch_id: int,
    actor_id: str,
    reason: str,
    now: dt.datetime,
) -> HouseholdPlan:
    """Work out the households FRAME names, insert nothing yet except changes to existing ones."""
    members = frame.select("household_code", "relation_to_head", "personal_id", "commune_code", "address_line").filter(
        pl.col("household_code") != ""
    )
    empty_ids = pl.DataFrame(schema={"household_code": pl.Utf8, "household_id": pl.Int64})
    if members.height == 0:
        return HouseholdPlan(created=pl.DataFrame(), ids=empty_ids, updated=0)
    heads = (
        members.filter(pl.col("relation_to_head") == HEAD_OF_HOUSEHOLD)
        .unique(subset="household_code", keep="first", maintain_order=True)
        .select(
            "household_code",
            pl.col("personal_id").alias("head_pid"),
            pl.col("commune_code").alias("_head_commune"),
            pl.col("address_line").alias("_head_address"),
        )
    )
    firsts = members.group_by("household_code").agg(pl.col("commune_code").first(), pl.col("address_line").first())
    households = (
        firsts.join(heads, on="household_code", how="left")
        .with_columns(
            pl.coalesce("_head_commune", "commune_code").alias("commune_code"),
            pl.coalesce("_head_address", "address_line").alias("address_line"),
        )
        .join(
            ids.select(pl.col("personal_id").alias("head_pid"), pl.col("id").alias("head_id")),
            on="head_pid",
            how="left",
        )
        .select("household_code", "commune_code", "address_line", "head_pid", "head_id")
    )
    with loader.db.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {HOUSEHOLD}")  # noqa: S608 — our table name
        total = int(cursor.fetchone()[0])
    existing = fetch_by_keys(
        loader,
        select="code, id, commune_code, address_line, head_id",
        table=HOUSEHOLD,
        key="code",
        keys=households.get_column("household_code").to_list(),
        schema={"code": pl.Utf8, "id": pl.Int64, "commune_code": pl.Utf8, "address_line": pl.Utf8, "head_id": pl.Int64},
        total=total,
    ).rename({"code": "household_code", "id": "household_id"})

    fresh = households.join(existing.select("household_code"), on="household_code", how="anti").sort("household_code")
    stamp = loader.datetime_text(now)
    created = pl.DataFrame()
    new_ids = empty_ids
    if fresh.height:
        first = loader.reserve_ids(HOUSEHOLD, fresh.height)
        fresh = fresh.with_columns((pl.int_range(0, pl.len(), dtype=pl.Int64) + first).alias("household_id"))
        created = fresh.select(
            pl.col("household_id").alias("id"),
            pl.col("household_code").alias("code"),
            random_public_ids(fresh.height),
            "commune_code",
            pl.col("address_line") if "address_line" in covered else pl.lit("").alias("address_line"),
            pl.col("head_id") if "relation_to_head" in covered else pl.lit(None, dtype=pl.Int64).alias("head_id"),
        )
        new_ids = fresh.select("household_code", "household_id")

    # Only a household whose head is in the file is judged by it: a file that updates a few
    # members of a household says nothing about the household's address or head.
    updated = _update_existing(
        households.filter(pl.col("head_pid").is_not_null()).join(
            existing, on="household_code", how="inner", suffix="_now"
        ),
        covered=covered,
        loader=loader,
        batch_id=batch_id,
        actor_id=actor_id,
        reason=reason,
        stamp=stamp,
    )
    return HouseholdPlan(
        created=created,
        ids=pl.concat([new_ids, existing.select("household_code", "household_id")]),
        updated=updated,
    )


def _update_existing(
    both: pl.DataFrame,
    *,
    covered: frozenset[str],
    loader: BulkLoader,
    batch_id: int,
    actor_id: str,
    reason: str,
    stamp: str,
) -> int:
    """Apply the file's commune, address and head to existing households that differ."""
    compared = ["commune_code"]
    if "address_line" in covered:
        compared.append("address_line")
    if "relation_to_head" in covered:
        compared.append("head_id")
    differs = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_now")) for c in compared)
    changed = both.filter(differs)
    if changed.height == 0:
        return 0
    head_ids = [i for i in changed.get_column("head_id_now").to_list() if i is not None]
    head_pids: dict[int, str] = {}
    if head_ids:
        found = loader.fetch(
            f"SELECT id, personal_id FROM {PERSON} WHERE id IN ({', '.join(['%s'] * len(head_ids))})",  # noqa: S608
            head_ids,
            {"id": pl.Int64, "personal_id": pl.Utf8},
        )
        head_pids = dict(found.iter_rows())
    history: list[dict[str, Any]] = []
    for row in changed.iter_rows(named=True):
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for column in compared:
            if row[column] == row[f"{column}_now"]:
                continue
            if column == "head_id":
                before["head_pid"] = head_pids.get(row["head_id_now"], "") if row["head_id_now"] else ""
                after["head_pid"] = row["head_pid"] or ""
            else:
                before[column] = row[f"{column}_now"]
                after[column] = row[column]
        history.append(
            {
                "household_id": row["household_id"],
                "at": stamp,
                "action": IMPORT_UPDATE,
                "actor_id": actor_id,
                "reason": reason,
                "before": json.dumps(before, ensure_ascii=False),
                "after": json.dumps(after, ensure_ascii=False),
                "import_batch_id": batch_id,
            }
        )
    loader.update(HOUSEHOLD, changed.select(pl.col("household_id").alias("id"), *compared))
    loader.insert(HOUSEHOLD_CHANGE, pl.DataFrame(history))
    return changed.height
