"""Stream the register out of the database into the engine's input form.

One SQL query joins each person to their household, parents, spouse, current permanent
residence and one former ID number; a server-side cursor (PostgreSQL) or SQLite's own stepping
reads it in batches that become Arrow record batches, written to a Parquet file the engine
reads with DuckDB. Nothing is held whole in Python: memory stays flat for millions of persons.
No DuckDB extension is needed (they would have to be downloaded at run time).

The columns are the engine's canonical register columns (all text, NULL when unknown):
``personal_id, full_name, birth_date, sex, old_id_number, household_id, commune_code,
commune_name, province_code, address_line, phone, father_id, mother_id, spouse_id, status,
former_commune_codes`` (the communes of the person's other residences, earlier or temporary,
comma-separated: an agency's list may still give one of them). ``birth_date``
is ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when only the month or the year is known, as in the
import format (DESIGN.md §4); ``sex`` is ``Nam``/``Nữ``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pc  # type: ignore[import-untyped]  # same
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # same
from django.db import connection

from dancu.core import units
from dancu.registry.models import FormerIdNumber, Household, Person, Residence, ResidenceKind

__all__ = ["REGISTER_COLUMNS", "RegisterExport", "count_register", "register_batches", "write_register_parquet"]

REGISTER_COLUMNS: tuple[str, ...] = (
    "personal_id",
    "full_name",
    "birth_date",
    "sex",
    "old_id_number",
    "household_id",
    "commune_code",
    "commune_name",
    "province_code",
    "address_line",
    "phone",
    "father_id",
    "mother_id",
    "spouse_id",
    "status",
    "former_commune_codes",
)

SCHEMA = pa.schema([(name, pa.string()) for name in REGISTER_COLUMNS])

#: Rows per fetch and per Arrow batch: large enough that Python's per-batch cost vanishes,
#: small enough that a batch stays a few tens of MB.
BATCH_ROWS = 100_000

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class RegisterExport:
    """What :func:`write_register_parquet` wrote: where, how many persons, how long it took."""

    path: Path
    rows: int
    seconds: float


def _query() -> str:
    person = Person._meta.db_table
    household = Household._meta.db_table
    residence = Residence._meta.db_table
    former = FormerIdNumber._meta.db_table
    # The other residences' communes, comma-separated, in either database's own words.
    codes = "string_agg(commune_code, ',')" if connection.vendor == "postgresql" else "group_concat(commune_code, ',')"
    # Dates are stored as ISO text (SQLite) or DATE (PostgreSQL): CAST gives 'YYYY-MM-DD' on
    # both, and cutting it in SQL keeps Python from building a date object per person.
    return f"""
        SELECT p.personal_id,
               p.full_name,
               CASE p.birth_precision
                    WHEN 'year' THEN substr(CAST(p.birth_date AS TEXT), 1, 4)
                    WHEN 'month' THEN substr(CAST(p.birth_date AS TEXT), 1, 7)
                    ELSE CAST(p.birth_date AS TEXT) END,
               CASE p.sex WHEN 'male' THEN %s WHEN 'female' THEN %s END,
               fi.number,
               h.code,
               COALESCE(NULLIF(r.commune_code, ''), NULLIF(p.commune_code, '')),
               NULLIF(r.province_code, ''),
               COALESCE(NULLIF(r.address_line, ''), NULLIF(h.address_line, '')),
               NULLIF(p.phone, ''),
               f.personal_id,
               m.personal_id,
               s.personal_id,
               p.status,
               other.codes
        FROM {person} p
        LEFT JOIN {household} h ON h.id = p.household_id
        LEFT JOIN {person} f ON f.id = p.father_id
        LEFT JOIN {person} m ON m.id = p.mother_id
        LEFT JOIN {person} s ON s.id = p.spouse_id
        LEFT JOIN (SELECT person_id, MAX(id) AS id FROM {residence}
                   WHERE kind = %s AND is_active GROUP BY person_id) rl ON rl.person_id = p.id
        LEFT JOIN {residence} r ON r.id = rl.id
        LEFT JOIN (SELECT person_id, MIN(number) AS number FROM {former}
                   GROUP BY person_id) fi ON fi.person_id = p.id
        LEFT JOIN (SELECT person_id, {codes} AS codes
                   FROM (SELECT DISTINCT person_id, commune_code FROM {residence}
                         WHERE commune_code <> '' AND NOT (kind = %s AND is_active)) o
                   GROUP BY person_id) other ON other.person_id = p.id
        ORDER BY p.id
    """  # noqa: S608 — only table names from our own models are interpolated


def count_register() -> int:
    """How many persons the register holds (the total for progress bars)."""
    return Person.objects.count()


def register_batches(batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """Yield the register as Arrow record batches of at most ``batch_rows`` persons."""
    params = ["Nam", "Nữ", ResidenceKind.PERMANENT.value, ResidenceKind.PERMANENT.value]
    names: dict[str, str | None] = {}
    # chunked_cursor() is a named (server-side) cursor on PostgreSQL, so the server streams
    # rows instead of sending millions at once; SQLite steps through the result natively.
    with connection.chunked_cursor() as cursor:
        cursor.execute(_query(), params)
        while True:
            rows = cursor.fetchmany(batch_rows)
            if not rows:
                return
            arrays = [pa.array(c, pa.string()) for c in zip(*rows, strict=True)]
            arrays.insert(_COMMUNE_NAME_AT, _commune_names(arrays[_COMMUNE_NAME_AT - 1], names))
            yield pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


_COMMUNE_NAME_AT = REGISTER_COLUMNS.index("commune_name")


def _commune_names(codes: pa.Array, known: dict[str, str | None]) -> pa.Array:
    """The current name of each commune code ("Phường Gia Viên"), looked up once per code."""
    distinct = pc.unique(codes)
    for code in distinct.to_pylist():
        if code is not None and code not in known:
            try:
                known[code] = units.get_unit(code, "current").name
            except units.UnknownUnitError:
                known[code] = None
    names = pa.array([known.get(c) if c is not None else None for c in distinct.to_pylist()], pa.string())
    return pc.take(names, pc.index_in(codes, value_set=distinct))


def write_register_parquet(
    path: Path, progress: Progress | None = None, batch_rows: int = BATCH_ROWS
) -> RegisterExport:
    """Write the register to a Parquet file at ``path`` (replaced atomically) and return what
    was written. ``progress`` receives the number of persons written so far after each batch."""
    started = time.monotonic()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    rows = 0
    try:
        with pq.ParquetWriter(partial, SCHEMA, compression="zstd") as writer:
            for batch in register_batches(batch_rows):
                writer.write_batch(batch)
                rows += batch.num_rows
                if progress is not None:
                    progress(rows)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return RegisterExport(path=path, rows=rows, seconds=time.monotonic() - started)
