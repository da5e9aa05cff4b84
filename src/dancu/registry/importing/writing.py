"""Writing checked rows into the register, set by set, in the caller's transaction.

1. Lock the register against other writers and read which persons exist (personal ID, id,
   fingerprint).
2. Split the rows: new persons; existing persons whose fingerprint matches (unchanged, nothing
   written); existing persons whose fingerprint differs (compared value by value in
   :mod:`~dancu.registry.importing.changes`).
3. Give new persons and households their ids up front, so that parents, spouses and heads are
   resolved in memory and every row is written once, complete.
4. Write households, persons, residences and former ID numbers through the bulk path; for a
   large load, drop and rebuild the indexes around it (:mod:`~dancu.registry.importing.bulk`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import polars as pl
from django.db.models import Field, Model

from dancu.registry.importing.bulk import BulkLoader, Constant, fetch_by_keys
from dancu.registry.importing.changes import apply_changes
from dancu.registry.importing.checks import Checked
from dancu.registry.importing.households import resolve_households
from dancu.registry.models import FormerIdNumber, Household, Person, Residence, ResidenceKind
from dancu.registry.public_ids import random_public_ids

__all__ = ["BULK_MIN_ROWS", "Written", "write_rows"]

#: A load this large (and at least half the register's size) rebuilds indexes instead of
#: maintaining them row by row.
BULK_MIN_ROWS: Final = 50_000

PERSON: Final = Person._meta.db_table
HOUSEHOLD: Final = Household._meta.db_table
RESIDENCE: Final = Residence._meta.db_table
FORMER_ID: Final = FormerIdNumber._meta.db_table

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    households_created: int = 0
    households_updated: int = 0
    bulk_mode: bool = False


def _default(model: type[Model], name: str) -> Any:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field.get_default()


def _count(loader: BulkLoader, table: str) -> int:
    with loader.db.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 — our table name
        return int(cursor.fetchone()[0])


def write_rows(
    checked: Checked,
    *,
    loader: BulkLoader,
    batch_id: int,
    actor_id: str,
    reason: str,
    now: dt.datetime,
    today: dt.date,
    progress: Progress,
    bulk_min_rows: int = BULK_MIN_ROWS,
) -> Written:
    """Write CHECKED into the register (see the module docstring); return the counts."""
    frame = checked.frame
    covered = checked.covered
    written = Written()
    progress("existing", 0, 0)
    loader.lock([PERSON, HOUSEHOLD])
    persons_before = _count(loader, PERSON)
    if persons_before == 0:
        # The first load of a province: every row is new, there is nothing to compare.
        known = pl.DataFrame(schema={"personal_id": pl.Utf8, "id": pl.Int64})
        changed = frame.clear()
        new_rows = frame.sort("personal_id")
    else:
        existing = fetch_by_keys(
            loader,
            select="personal_id, id, import_digest",
            table=PERSON,
            key="personal_id",
            keys=frame.get_column("personal_id").to_list(),
            schema={"personal_id": pl.Utf8, "id": pl.Int64, "import_digest": pl.Int64},
            total=persons_before,
        )
        # Decide on narrow frames; the wide rows are gathered once, for the rows to write.
        keys = frame.select("personal_id", "digest").join(existing, on="personal_id", how="left", maintain_order="left")
        same = pl.col("import_digest").is_not_null() & (pl.col("import_digest") == pl.col("digest"))
        known = keys.filter(pl.col("id").is_not_null())
        written.unchanged = known.filter(same).height
        changed_keys = known.filter(~same).select("personal_id", "id")
        changed = frame.join(changed_keys, on="personal_id", how="inner")
        # New persons get ids in personal-ID order, so the primary key and the unique index on
        # the personal ID both grow at their end. Their wide rows are gathered here, once.
        new_rows = frame.filter(keys.get_column("id").is_null()).sort("personal_id")
        known = known.select("personal_id", "id")
        del keys
    written.bulk_mode = new_rows.height >= max(bulk_min_rows, persons_before // 2)
    first = loader.reserve_ids(PERSON, new_rows.height) if new_rows.height else 0
    new_rows = new_rows.with_columns((pl.int_range(0, pl.len(), dtype=pl.Int64) + first).alias("id"))
    new = new_rows.select("personal_id", "id")

    # personal ID -> id for every person a row may point at.
    ids = pl.concat([new.select("personal_id", "id"), known])
    del known
    references = (
        pl.concat([frame.select(pl.col(c).alias("personal_id")) for c in ("father_pid", "mother_pid", "spouse_pid")])
        .unique()
        .filter(pl.col("personal_id") != "")
        .join(ids, on="personal_id", how="anti")
    )
    if references.height:
        ids = pl.concat(
            [
                ids,
                fetch_by_keys(
                    loader,
                    select="personal_id, id",
                    table=PERSON,
                    key="personal_id",
                    keys=references.get_column("personal_id").to_list(),
                    schema={"personal_id": pl.Utf8, "id": pl.Int64},
                    total=persons_before,
                ),
            ]
        )

    progress("households", 0, 0)
    households = resolve_households(
        frame,
        ids=ids,
        covered=covered,
        loader=loader,
        batch_id=batch_id,
        actor_id=actor_id,
        reason=reason,
        now=now,
    )
    written.households_created = households.created.height
    written.households_updated = households.updated

    tables = [PERSON, HOUSEHOLD, RESIDENCE, FORMER_ID]
    if written.bulk_mode:
        progress("relax", 0, 0)
        loader.relax(tables)
    progress("households", 0, 0)
    loader.insert(HOUSEHOLD, households.created, constants={"created_at": loader.datetime_text(now)})

    if new.height:
        _insert_new(
            new_rows,
            checked,
            loader=loader,
            ids=ids,
            household_ids=households.ids,
            batch_id=batch_id,
            now=now,
            progress=progress,
        )
    written.created = new.height

    progress("changes", 0, changed.height)
    written.updated = apply_changes(
        changed,
        covered=covered,
        loader=loader,
        ids=ids,
        household_ids=households.ids,
        batch_id=batch_id,
        actor_id=actor_id,
        reason=reason,
        now=now,
        today=today,
    )
    if written.bulk_mode:
        progress("indexes", 0, 0)
        loader.restore()
        progress("analyze", 0, 0)
        loader.analyze(tables)
    return written


def _pid_to_id(frame: pl.LazyFrame, ids: pl.DataFrame, pid_column: str, id_column: str) -> pl.LazyFrame:
    mapping = ids.lazy().select(pl.col("personal_id").alias(pid_column), pl.col("id").alias(id_column))
    return frame.join(mapping, on=pid_column, how="left", maintain_order="left")


def _insert_new(
    new_rows: pl.DataFrame,
    checked: Checked,
    *,
    loader: BulkLoader,
    ids: pl.DataFrame,
    household_ids: pl.DataFrame,
    batch_id: int,
    now: dt.datetime,
    progress: Progress,
) -> None:
    covered = checked.covered
    # References are resolved on a narrow frame (joins gather every column they carry) and the
    # ids set beside the wide rows, which stay in id order and are never copied.
    progress("gather", 0, new_rows.height)
    plan = new_rows.lazy().select("father_pid", "mother_pid", "spouse_pid", "household_code")
    for pid_column, id_column in (
        ("father_pid", "father_id"),
        ("mother_pid", "mother_id"),
        ("spouse_pid", "spouse_id"),
    ):
        plan = _pid_to_id(plan, ids, pid_column, id_column)
    resolved = (
        plan.join(household_ids.lazy(), on="household_code", how="left", maintain_order="left")
        .select("father_id", "mother_id", "spouse_id", "household_id")
        .collect()
    )
    rows = new_rows.hstack(resolved.get_columns())

    def value(name: str, dtype: pl.DataType | type[pl.DataType] = pl.Utf8) -> pl.Expr:
        # A column the file does not have gives new persons the model's default.
        if name in covered:
            return pl.col(name)
        return pl.lit(_default(Person, name), dtype=dtype).alias(name)

    stamp = loader.datetime_text(now)
    persons = rows.select(
        "id",
        "personal_id",
        random_public_ids(rows.height),
        "full_name",
        "surname",
        "middle_name",
        "given_name",
        "name_key",
        "birth_date",
        "birth_precision",
        pl.col("birth_year").cast(pl.Int32),
        "sex",
        value("ethnicity"),
        value("religion"),
        value("nationality"),
        value("birthplace"),
        value("hometown"),
        value("relation_to_head"),
        "status",
        pl.col("deceased_on") if "deceased_on" in covered else pl.lit(None, dtype=pl.Date).alias("deceased_on"),
        value("phone"),
        "commune_code",
        pl.col("digest").alias("import_digest"),
        "father_id",
        "household_id",
        "mother_id",
        "spouse_id",
        *(("other_names", "email") if {"other_names", "email"} & covered else ()),
    )
    constants: dict[str, Constant] = {
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by_import_id": batch_id,
    }
    if not {"other_names", "email"} & covered:
        constants |= {"other_names": "[]", "email": _default(Person, "email")}
    total = persons.height
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress("persons", done, total)

    progress("persons", 0, total)
    loader.insert(PERSON, persons, advance, constants)
    del persons
    residences = rows.select(
        pl.col("id").alias("person_id"),
        "province_code",
        "commune_code",
        "recorded_unit_code",
        "recorded_unit_era",
        "recorded_unit_name",
        "address_line" if "address_line" in covered else pl.lit("").alias("address_line"),
    )
    progress("residences", 0, total)
    loader.insert(
        RESIDENCE,
        residences,
        constants={"kind": ResidenceKind.PERMANENT.value, "valid_from": None, "valid_to": None, "is_active": True},
    )
    former = rows.filter(pl.col("old_id_number") != "").select(
        pl.col("id").alias("person_id"), pl.col("old_id_number").alias("number")
    )
    loader.insert(FORMER_ID, former, constants={"kind": "cmnd9"})
