"""Existing persons whose import fingerprint differs: compare value by value, write what changed.

Every change keeps its before and after in :class:`~dancu.registry.models.PersonChange` (one
row per person and import); a move closes the active permanent residence and opens a new one
(the old one is kept); a new former ID number is added (none is ever removed). Deaths, name
changes and moves are life events and publish the register's domain events. A person whose
values turn out equal (a fingerprint made by an older version, or reset by an officer's action)
only gets the new fingerprint.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, Final

import polars as pl

from dancu.core.events import publish
from dancu.registry.importing.bulk import BulkLoader, Schema
from dancu.registry.models import (
    FormerIdNumber,
    LifeEvent,
    LifeEventKind,
    Person,
    PersonChange,
    PersonStatus,
    Residence,
    ResidenceKind,
)

__all__ = ["IMPORT_UPDATE", "apply_changes"]

IMPORT_UPDATE: Final = "registry.import.update"
_CHUNK: Final = 5_000

PERSON: Final = Person._meta.db_table
RESIDENCE: Final = Residence._meta.db_table
FORMER_ID: Final = FormerIdNumber._meta.db_table
PERSON_CHANGE: Final = PersonChange._meta.db_table

# (register-form value, SQL giving its current value). Dates and JSON are read as text on both
# databases, so both sides of a comparison have one form.
_CURRENT: Final[tuple[tuple[str, str], ...]] = (
    ("full_name", "p.full_name"),
    ("surname", "p.surname"),
    ("middle_name", "p.middle_name"),
    ("given_name", "p.given_name"),
    ("name_key", "p.name_key"),
    ("birth_date", "CAST(p.birth_date AS TEXT)"),
    ("birth_precision", "p.birth_precision"),
    ("birth_year", "p.birth_year"),
    ("sex", "p.sex"),
    ("ethnicity", "p.ethnicity"),
    ("nationality", "p.nationality"),
    ("religion", "p.religion"),
    ("birthplace", "p.birthplace"),
    ("hometown", "p.hometown"),
    ("other_names", "CAST(p.other_names AS TEXT)"),
    ("household_code", "COALESCE(h.code, '')"),
    ("relation_to_head", "p.relation_to_head"),
    ("father_pid", "COALESCE(f.personal_id, '')"),
    ("mother_pid", "COALESCE(m.personal_id, '')"),
    ("spouse_pid", "COALESCE(s.personal_id, '')"),
    ("commune_code", "p.commune_code"),
    ("address_line", "COALESCE(r.address_line, '')"),
    ("phone", "p.phone"),
    ("email", "p.email"),
    ("status", "p.status"),
    ("deceased_on", "CAST(p.deceased_on AS TEXT)"),
)

# Register-form values stored as the person's own column of the same name.
_PERSON_COLUMNS: Final[tuple[str, ...]] = (
    "full_name",
    "surname",
    "middle_name",
    "given_name",
    "name_key",
    "birth_date",
    "birth_precision",
    "birth_year",
    "sex",
    "ethnicity",
    "nationality",
    "religion",
    "birthplace",
    "hometown",
    "other_names",
    "relation_to_head",
    "commune_code",
    "phone",
    "email",
    "status",
    "deceased_on",
)
_LINKS: Final[tuple[tuple[str, str], ...]] = (
    ("father_pid", "father_id"),
    ("mother_pid", "mother_id"),
    ("spouse_pid", "spouse_id"),
)


def _current_values(loader: BulkLoader, person_ids: Sequence[int]) -> pl.DataFrame:
    schema: Schema = {"id": pl.Int64, "version": pl.Int64}
    schema |= {name: (pl.Int64 if name == "birth_year" else pl.Utf8) for name, _ in _CURRENT}
    select = ", ".join(["p.id", "p.version", *(sql for _, sql in _CURRENT)])
    parts = []
    for start in range(0, len(person_ids), _CHUNK):
        chunk = list(person_ids[start : start + _CHUNK])
        marks = ", ".join(["%s"] * len(chunk))
        parts.append(
            loader.fetch(
                f"SELECT {select} FROM {PERSON} p "  # noqa: S608 — our names; values are parameters
                "LEFT JOIN registry_household h ON h.id = p.household_id "
                f"LEFT JOIN {PERSON} f ON f.id = p.father_id "
                f"LEFT JOIN {PERSON} m ON m.id = p.mother_id "
                f"LEFT JOIN {PERSON} s ON s.id = p.spouse_id "
                f"LEFT JOIN {RESIDENCE} r ON r.person_id = p.id AND r.kind = 'permanent' AND r.is_active "
                f"WHERE p.id IN ({marks})",
                chunk,
                schema,
            )
        )
    # Two active permanent residences would be a bug elsewhere; never let it double a person.
    return pl.concat(parts).unique(subset="id", keep="first")


def _former_ids(loader: BulkLoader, person_ids: Sequence[int]) -> dict[int, set[str]]:
    result: dict[int, set[str]] = {}
    for start in range(0, len(person_ids), _CHUNK):
        chunk = list(person_ids[start : start + _CHUNK])
        marks = ", ".join(["%s"] * len(chunk))
        found = loader.fetch(
            f"SELECT person_id, number FROM {FORMER_ID} WHERE person_id IN ({marks})",  # noqa: S608
            chunk,
            {"person_id": pl.Int64, "number": pl.Utf8},
        )
        for person_id, number in found.iter_rows():
            result.setdefault(person_id, set()).add(number)
    return result


def _comparable(name: str, value: Any) -> Any:
    """One form for both sides: dates as ISO text, name lists as lists, None as ""."""
    if value is None:
        return None if name == "deceased_on" else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if name == "other_names":
        return json.loads(value) if isinstance(value, str) else value
    if name == "birth_year":
        return int(value)
    return value


def apply_changes(
    changed: pl.DataFrame,
    *,
    covered: frozenset[str],
    loader: BulkLoader,
    ids: pl.DataFrame,
    household_ids: pl.DataFrame,
    batch_id: int,
    actor_id: str,
    reason: str,
    now: dt.datetime,
    today: dt.date,
) -> int:
    """Write the differences of CHANGED rows (which carry the person's ``id``); return how many
    persons actually changed."""
    if changed.height == 0:
        return 0
    person_ids = changed.get_column("id").to_list()
    current = _current_values(loader, person_ids)
    former = _former_ids(loader, person_ids) if "old_id_number" in covered else {}
    rows = changed.join(current, on="id", how="inner", suffix="_now")
    compared = [name for name, _ in _CURRENT if name in covered]
    stamp = loader.datetime_text(now)

    digest_only: list[tuple[int, int]] = []
    updates: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    new_residences: list[dict[str, Any]] = []
    new_former: list[dict[str, Any]] = []
    events: list[tuple[str, dict[str, Any], LifeEvent]] = []
    for row in rows.iter_rows(named=True):
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name in compared:
            old, new = _comparable(name, row[f"{name}_now"]), _comparable(name, row[name])
            if old != new:
                before[name], after[name] = old, new
        known_numbers = former.get(row["id"], set())
        if row["old_id_number"] and row["old_id_number"] not in known_numbers:
            before["former_ids"] = sorted(known_numbers)
            after["former_ids"] = sorted(known_numbers | {row["old_id_number"]})
            new_former.append({"person_id": row["id"], "number": row["old_id_number"], "kind": "cmnd9"})
        if not before and not after:
            digest_only.append((row["id"], row["digest"]))
            continue
        updates.append({**{k: row[k] for k in row}, "version": row["version"] + 1})
        history.append(
            {
                "person_id": row["id"],
                "at": stamp,
                "action": IMPORT_UPDATE,
                "actor_id": actor_id,
                "reason": reason,
                "before": json.dumps(before, ensure_ascii=False),
                "after": json.dumps(after, ensure_ascii=False),
                "import_batch_id": batch_id,
            }
        )
        pid = row["personal_id"]
        if "commune_code" in after or "address_line" in after:
            new_residences.append(
                {
                    "person_id": row["id"],
                    "kind": ResidenceKind.PERMANENT.value,
                    "province_code": row["province_code"],
                    "commune_code": row["commune_code"],
                    "recorded_unit_code": row["recorded_unit_code"],
                    "recorded_unit_era": row["recorded_unit_era"],
                    "recorded_unit_name": row["recorded_unit_name"],
                    "address_line": row["address_line"] if "address_line" in covered else row["address_line_now"],
                    "valid_from": today,
                    "valid_to": None,
                    "is_active": True,
                }
            )
            payload = {
                "personal_id": pid,
                "commune_code": row["commune_code"],
                "previous_commune_code": row["commune_code_now"],
                "valid_from": today.isoformat(),
            }
            events.append(
                (
                    "registry.residence_changed",
                    payload,
                    _event(row["id"], LifeEventKind.RESIDENCE_CHANGE, today, payload, actor_id),
                )
            )
        if after.get("status") == PersonStatus.DECEASED:
            died = row["deceased_on"] or today
            payload = {
                "personal_id": pid,
                "deceased_on": _comparable("deceased_on", row["deceased_on"]),
                "occurred_on": died.isoformat(),
            }
            events.append(
                ("registry.person_died", payload, _event(row["id"], LifeEventKind.DEATH, died, payload, actor_id))
            )
        if "full_name" in after:
            payload = {"personal_id": pid, "occurred_on": today.isoformat()}
            details = {**payload, "previous_full_name": before["full_name"], "full_name": after["full_name"]}
            events.append(
                (
                    "registry.name_changed",
                    payload,
                    _event(row["id"], LifeEventKind.NAME_CHANGE, today, details, actor_id),
                )
            )

    if digest_only:
        loader.update(
            PERSON, pl.DataFrame(digest_only, schema={"id": pl.Int64, "import_digest": pl.Int64}, orient="row")
        )
    if updates:
        _update_persons(
            pl.DataFrame(updates), covered=covered, loader=loader, ids=ids, household_ids=household_ids, stamp=stamp
        )
        loader.insert(PERSON_CHANGE, pl.DataFrame(history))
    if new_residences:
        moved = [r["person_id"] for r in new_residences]
        for start in range(0, len(moved), _CHUNK):
            Residence.objects.filter(
                person_id__in=moved[start : start + _CHUNK], kind=ResidenceKind.PERMANENT, is_active=True
            ).update(is_active=False, valid_to=today)
        loader.insert(
            RESIDENCE, pl.DataFrame(new_residences, schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date})
        )
    if new_former:
        loader.insert(FORMER_ID, pl.DataFrame(new_former))
    if events:
        LifeEvent.objects.bulk_create([event for _, _, event in events], batch_size=1000)
        for kind, payload, _ in events:
            publish(kind, payload)
    return len(updates)


def _event(person_id: int, kind: str, on: dt.date, details: dict[str, Any], actor_id: str) -> LifeEvent:
    return LifeEvent(
        person_id=person_id, kind=kind, occurred_on=on, details={"source": "import", **details}, actor_id=actor_id
    )


def _update_persons(
    updates: pl.DataFrame,
    *,
    covered: frozenset[str],
    loader: BulkLoader,
    ids: pl.DataFrame,
    household_ids: pl.DataFrame,
    stamp: str,
) -> None:
    """Set every covered column of the changed persons to the file's values."""
    frame = updates
    columns: list[pl.Expr | str] = ["id"]
    columns += [name for name in _PERSON_COLUMNS if name in covered]
    for pid_column, id_column in _LINKS:
        if pid_column in covered:
            mapping = ids.select(pl.col("personal_id").alias(pid_column), pl.col("id").alias(id_column))
            frame = frame.join(mapping, on=pid_column, how="left")
            columns.append(id_column)
    if "household_code" in covered:
        frame = frame.join(household_ids, on="household_code", how="left")
        columns.append("household_id")
    columns += [
        pl.col("version").cast(pl.Int64),
        pl.lit(stamp).alias("updated_at"),
        pl.col("digest").alias("import_digest"),
    ]
    loader.update(PERSON, frame.select(columns))
