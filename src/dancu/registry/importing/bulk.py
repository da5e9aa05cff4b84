"""The database's own bulk paths, behind one small interface: PostgreSQL ``COPY``, SQLite
``executemany`` on the raw connection, in the caller's transaction.

For a large load (the first import of a province), keeping a dozen B-tree indexes and the
foreign-key triggers up to date row by row costs five times the load itself; :meth:`relax`
drops them inside the transaction and :meth:`restore` builds them again by sorting, still
inside it. DDL is transactional on both databases, so a ``kill -9`` at any point leaves the
indexes and the rows exactly as they were (docs/adr/0002-registry-import.md).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.copy import QueuedLibpqWriter

__all__ = ["BulkLoader", "Constant", "Schema", "fetch_by_keys", "loader_for", "validate_pending_constraints"]

Progress = Callable[[int], None]
#: A value written into every row of a column.
Constant = str | int | bool | None
#: Column name -> polars type, in order.
Schema = dict[str, pl.DataType | type[pl.DataType]]

# Indexes led by these columns are kept through a bulk load (see BulkLoader.relax): rows are
# written in the order of each (persons by personal ID, households by code, residences and
# former ID numbers by person), so such an index only grows at its end.
_KEPT_LEADING = ("person_id", "personal_id", "code")
# Above this share of a table, reading all of it beats asking by key.
_FULL_SCAN_SHARE = 0.1
_IN_CHUNK = 5_000

#: SQLite's page cache during an import (KiB): the first load of two million people, indexes
#: included, fits.
SQLITE_IMPORT_CACHE_KIB = 1 << 20

# Rows per COPY chunk / executemany call: large enough to amortise the call, small enough to
# report progress every second or so.
_CHUNK = 100_000


@dataclass(slots=True)
class _Relaxed:
    """What :meth:`BulkLoader.relax` dropped, to be built again."""

    tables: list[str] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)
    constraints: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, definition
    unique: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, definition
    # PostgreSQL: the session_replication_role to put back, when the load ran with the
    # foreign-key triggers off instead of dropping the foreign keys.
    replication_role: str | None = None


class BulkLoader:
    """Bulk reads and writes on the default connection, inside the current transaction."""

    vendor = ""

    def __init__(self, db: BaseDatabaseWrapper) -> None:
        self.db = db
        self._relaxed: _Relaxed | None = None
        self._pending_validation: list[tuple[str, str]] = []

    # -- reading --------------------------------------------------------------------------------

    def fetch(self, sql: str, params: Sequence[Any], schema: Schema) -> pl.DataFrame:
        """Run a query, return its rows as a frame with SCHEMA (column names in order)."""
        with self.db.cursor() as cursor:
            cursor.execute(sql, list(params))
            rows = cursor.fetchall()
        if not rows:
            return pl.DataFrame(schema=schema)
        # Column-wise construction: several times faster than row by row for millions of rows.
        columns = list(zip(*rows, strict=True))
        return pl.DataFrame(
            {
                name: pl.Series(name, values, dtype=dtype)
                for (name, dtype), values in zip(schema.items(), columns, strict=True)
            }
        )

    # -- writing --------------------------------------------------------------------------------

    def lock(self, tables: Sequence[str]) -> None:
        """Keep other writers out of TABLES until commit (readers go on)."""

    def datetime_text(self, value: dt.datetime) -> str:
        """VALUE (aware) as the database stores it, for bulk-written rows."""
        return value.isoformat()

    def reserve_ids(self, table: str, count: int) -> int:
        """Reserve COUNT consecutive primary keys of TABLE; return the first."""
        raise NotImplementedError

    def insert(
        self,
        table: str,
        frame: pl.DataFrame,
        progress: Progress | None = None,
        constants: dict[str, Constant] | None = None,
    ) -> None:
        """Insert every row of FRAME (columns named as the table's) into TABLE, with CONSTANTS
        (column -> one value for every row) besides."""
        raise NotImplementedError

    def update(self, table: str, frame: pl.DataFrame, key: str = "id") -> None:
        """Set, for each row of FRAME, its other columns on the row of TABLE with that KEY."""
        if frame.height == 0:
            return
        columns = [c for c in frame.columns if c != key]
        q = self.db.ops.quote_name
        assignments = ", ".join(f"{q(c)} = %s" for c in columns)
        sql = f"UPDATE {q(table)} SET {assignments} WHERE {q(key)} = %s"  # noqa: S608 — names are ours
        rows = frame.select(*columns, key).iter_rows()
        with self.db.cursor() as cursor:
            cursor.executemany(sql, list(rows))

    # -- relaxing indexes and constraints -------------------------------------------------------

    def relax(self, tables: Sequence[str]) -> None:
        """Drop the secondary indexes (and on PostgreSQL the unique constraints no foreign key
        relies on, and either turn the foreign keys' triggers off for the transaction or, where
        the role may not, drop the foreign keys) of TABLES, except
        indexes led by the column rows are written in order of (``person_id``, ``personal_id``,
        household ``code``): those grow at their end and cost less kept than rebuilt."""
        raise NotImplementedError

    def restore(self) -> None:
        """Build again what :meth:`relax` dropped."""
        raise NotImplementedError

    @contextmanager
    def tuned(self) -> Iterator[None]:
        """The connection's settings for an import (around its transaction), put back after."""
        yield

    def after_commit(self) -> None:
        """Work that may wait until the transaction has committed (see :class:`PostgresLoader`)."""

    def analyze(self, tables: Sequence[str]) -> None:
        """Refresh the planner's statistics of TABLES after a large load: without them a
        two-million-row table is planned as a small one (parallel scans for a one-row look-up)."""
        with self.db.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {self.db.ops.quote_name(table)}")


class SqliteLoader(BulkLoader):
    vendor = "sqlite"

    def datetime_text(self, value: dt.datetime) -> str:
        # Django keeps SQLite datetimes as naive UTC text.
        return str(self.db.ops.adapt_datetimefield_value(value))

    def reserve_ids(self, table: str, count: int) -> int:
        # AUTOINCREMENT never reuses an id, even a deleted one: start above both the highest
        # row and the sequence. Inserting explicit ids moves the sequence on by itself.
        with self.db.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 — table names are ours
            highest = int(cursor.fetchone()[0])
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
        return max(highest, int(row[0]) if row else 0) + 1

    def insert(
        self,
        table: str,
        frame: pl.DataFrame,
        progress: Progress | None = None,
        constants: dict[str, Constant] | None = None,
    ) -> None:
        if frame.height == 0:
            return
        raw = self.db.connection
        frame = _sqlite_values(frame)
        fixed = constants or {}
        columns = ", ".join(f'"{c}"' for c in (*frame.columns, *fixed))
        # Constants are written into the statement: binding a parameter costs as much per row
        # as the value is worth once.
        marks = ", ".join(["?"] * frame.width + [_sqlite_literal(v) for v in fixed.values()])
        sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'  # noqa: S608 — names and literals are ours
        for start in range(0, frame.height, _CHUNK):
            chunk = frame.slice(start, _CHUNK)
            # Column by column into Python values, then zipped into rows: a fifth less time
            # than polars' row iterator, which converts cell by cell.
            raw.executemany(sql, zip(*(column.to_list() for column in chunk.get_columns()), strict=True))
            if progress is not None:
                progress(chunk.height)

    def update(self, table: str, frame: pl.DataFrame, key: str = "id") -> None:
        super().update(table, _sqlite_values(frame), key)

    def analyze(self, tables: Sequence[str]) -> None:
        # A sample of each index is enough for the planner, and keeps ANALYZE to a second.
        with self.db.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 1000")
        super().analyze(tables)

    def relax(self, tables: Sequence[str]) -> None:
        relaxed = _Relaxed(tables=list(tables))
        with self.db.cursor() as cursor:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                f"AND tbl_name IN ({marks}) ORDER BY name",
                list(tables),
            )
            for name, sql in cursor.fetchall():
                cursor.execute("SELECT name FROM pragma_index_info(%s) WHERE seqno = 0", [name])
                if cursor.fetchone()[0] in _KEPT_LEADING:
                    continue
                relaxed.indexes.append(sql)
                cursor.execute(f'DROP INDEX "{name}"')
        self._relaxed = relaxed

    @contextmanager
    def tuned(self) -> Iterator[None]:
        # A page cache that holds the whole load: without it, pages are spilled to the WAL in
        # mid-transaction and read back from it by every index build. SQLite allocates cache
        # pages as they are used, so a small import costs nothing more. Temporary sort data
        # (index builds) stays in memory; the sorter may use every core. Where to keep it can
        # only change outside a transaction (inside one, in tests, it stays as it is).
        temp_store = not self.db.in_atomic_block
        with self.db.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache_size = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
            cursor.execute(f"PRAGMA threads = {os.cpu_count() or 1}")
            if temp_store:
                cursor.execute("PRAGMA temp_store = MEMORY")
        try:
            yield
        finally:
            with self.db.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {cache_size}")
                cursor.execute("PRAGMA threads = 0")
                if temp_store:
                    cursor.execute("PRAGMA temp_store = DEFAULT")

    def restore(self) -> None:
        if self._relaxed is None:
            return
        with self.db.cursor() as cursor:
            for sql in self._relaxed.indexes:
                cursor.execute(sql)
        self._relaxed = None


def _sqlite_literal(value: Constant) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _sqlite_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates as ISO text and booleans as 0/1, as Django stores them in SQLite."""
    casts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            casts.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean:
            casts.append(pl.col(name).cast(pl.Int8))
    return frame.with_columns(casts) if casts else frame


class PostgresLoader(BulkLoader):
    vendor = "postgresql"

    def fetch(self, sql: str, params: Sequence[Any], schema: Schema) -> pl.DataFrame:
        # COPY out as CSV and let polars parse it: several times faster than fetching tuples.
        with self.db.cursor() as cursor:
            query = cursor.mogrify(sql, list(params))
            query_text = query.decode() if isinstance(query, bytes) else query
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({query_text}) TO STDOUT WITH (FORMAT csv, NULL '\\N')") as copy:
                for block in copy:
                    buffer.write(block)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=schema)
        buffer.seek(0)
        return pl.read_csv(buffer, has_header=False, schema=schema, null_values="\\N", empty_string_is_null=False)

    def lock(self, tables: Sequence[str]) -> None:
        # SHARE ROW EXCLUSIVE: readers go on, a second import or an officer's write waits for
        # our commit, so nothing changes between our read of the register and our writes.
        with self.db.cursor() as cursor:
            names = ", ".join(self.db.ops.quote_name(t) for t in tables)
            cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")

    def reserve_ids(self, table: str, count: int) -> int:
        # Under the table lock no other session inserts, so the block is ours: take the next
        # value and move the sequence past the block.
        with self.db.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = int(cursor.fetchone()[0])
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    def insert(
        self,
        table: str,
        frame: pl.DataFrame,
        progress: Progress | None = None,
        constants: dict[str, Constant] | None = None,
    ) -> None:
        if frame.height == 0:
            return
        constants = constants or {}
        # In a bulk load (the table is already altered, so locked, by relax), the values every
        # row shares become the columns' defaults for the COPY instead of being formatted, sent
        # and parsed millions of times; the defaults are put back before the COPY's end.
        as_defaults = self._relaxed is not None and table in self._relaxed.tables and bool(constants)
        if constants and not as_defaults:
            frame = frame.with_columns(pl.lit(value).alias(name) for name, value in constants.items())
        columns = ", ".join(self.db.ops.quote_name(c) for c in frame.columns)
        sql = f"COPY {self.db.ops.quote_name(table)} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        previous = self._set_defaults(table, constants) if as_defaults else {}
        # A worker thread sends each chunk while polars (which lets go of the GIL) formats the
        # next: the server parses one chunk while the next is written.
        with self.db.cursor() as cursor, cursor.cursor.copy(sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            for start in range(0, frame.height, _CHUNK):
                chunk = frame.slice(start, _CHUNK)
                copy.write(chunk.write_csv(include_header=False, null_value="\\N", date_format="%Y-%m-%d"))
                if progress is not None:
                    progress(chunk.height)
        if as_defaults:
            self._put_back_defaults(table, previous)

    def _set_defaults(self, table: str, constants: dict[str, Constant]) -> dict[str, str | None]:
        """Make CONSTANTS the defaults of TABLE's columns; return the defaults they had."""
        q = self.db.ops.quote_name
        with self.db.cursor() as cursor:
            cursor.execute(
                """
                SELECT a.attname, pg_get_expr(d.adbin, d.adrelid)
                FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)
                """,
                [table, list(constants)],
            )
            previous: dict[str, str | None] = dict(cursor.fetchall())
            changes = []
            for name, value in constants.items():
                literal = cursor.mogrify("%s", [value])
                text = literal.decode() if isinstance(literal, bytes) else literal
                changes.append(f"ALTER COLUMN {q(name)} SET DEFAULT {text}")
            cursor.execute(f"ALTER TABLE {q(table)} {', '.join(changes)}")
        return previous

    def _put_back_defaults(self, table: str, previous: dict[str, str | None]) -> None:
        q = self.db.ops.quote_name
        changes = [
            f"ALTER COLUMN {q(name)} DROP DEFAULT"
            if default is None
            else f"ALTER COLUMN {q(name)} SET DEFAULT {default}"
            for name, default in previous.items()
        ]
        with self.db.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {q(table)} {', '.join(changes)}")

    def update(self, table: str, frame: pl.DataFrame, key: str = "id") -> None:
        # Many rows: COPY them into a temporary table and update in one statement.
        if frame.height < 1000:
            super().update(table, frame, key)
            return
        q = self.db.ops.quote_name
        staging = f"_dancu_update_{table}"
        with self.db.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {q(staging)} ON COMMIT DROP AS "  # noqa: S608 — names are ours
                f"SELECT {', '.join(q(c) for c in frame.columns)} FROM {q(table)} WITH NO DATA"
            )
        self.insert(staging, frame)
        assignments = ", ".join(f"{q(c)} = s.{q(c)}" for c in frame.columns if c != key)
        with self.db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {q(table)} AS t SET {assignments} FROM {q(staging)} AS s WHERE t.{q(key)} = s.{q(key)}"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {q(staging)}")

    def _may_turn_off_reference_checks(self) -> bool:
        """Whether this role may set ``session_replication_role`` (a superuser, or from
        PostgreSQL 15 a role granted ``SET`` on it)."""
        with self.db.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            if int(cursor.fetchone()[0]) >= 150000:
                cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            else:
                cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            return bool(cursor.fetchone()[0])

    def relax(self, tables: Sequence[str]) -> None:
        relaxed = _Relaxed(tables=list(tables))
        with self.db.cursor() as cursor:
            if self._may_turn_off_reference_checks():
                # Every reference the import writes was resolved to an id it holds (or reads
                # under its lock), as on SQLite; the foreign keys stay in place and valid, and
                # only their per-row triggers are off for the import's transaction — no
                # second pass over the tables (pg_restore --disable-triggers does the same).
                # Nothing the import does in the meantime deletes a row, so no ON DELETE action
                # is skipped.
                cursor.execute("SHOW session_replication_role")
                relaxed.replication_role = str(cursor.fetchone()[0])
                cursor.execute("SET LOCAL session_replication_role = replica")
            else:
                cursor.execute(
                    """
                    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                    FROM pg_constraint c
                    WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
                    ORDER BY 1, 2
                    """,
                    [list(tables)],
                )
                relaxed.constraints = [(t, n, d) for t, n, d in cursor.fetchall()]
            for table, name, _ in relaxed.constraints:
                cursor.execute(
                    f"ALTER TABLE {self.db.ops.quote_name(table)} DROP CONSTRAINT {self.db.ops.quote_name(name)}"
                )
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                  AND NOT a.attname = ANY(%s)
                ORDER BY 1
                """,
                [list(tables), list(_KEPT_LEADING)],
            )
            for name, definition in cursor.fetchall():
                relaxed.indexes.append(definition)
                cursor.execute(f"DROP INDEX {self.db.ops.quote_name(name)}")
            # Unique constraints on values that come in no order (public ids: random UUIDs)
            # cost a random B-tree insert per row; built again by sorting, they are checked
            # just the same before commit. One a foreign key relies on stays.
            cursor.execute(
                """
                SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)
                  AND NOT a.attname = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
                ORDER BY 1, 2
                """,
                [list(tables), list(_KEPT_LEADING)],
            )
            relaxed.unique = [(t, n, d) for t, n, d in cursor.fetchall()]
            for table, name, _ in relaxed.unique:
                cursor.execute(
                    f"ALTER TABLE {self.db.ops.quote_name(table)} DROP CONSTRAINT {self.db.ops.quote_name(name)}"
                )
        self._relaxed = relaxed

    def restore(self) -> None:
        relaxed = self._relaxed
        if relaxed is None:
            return
        with self.db.cursor() as cursor:
            if relaxed.replication_role is not None:
                cursor.execute("SELECT set_config('session_replication_role', %s, true)", [relaxed.replication_role])
            # Sorting for index builds in memory rather than in temporary files.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in relaxed.indexes:
                cursor.execute(definition)
            for table, name, definition in relaxed.unique:
                cursor.execute(
                    f"ALTER TABLE {self.db.ops.quote_name(table)} ADD CONSTRAINT {self.db.ops.quote_name(name)} "
                    f"{definition}"
                )
            # The rows were checked before they were written (every reference resolved to an
            # id we hold), so the constraints come back NOT VALID at once and are validated
            # after commit, under a lock that blocks nobody.
            for table, name, definition in relaxed.constraints:
                cursor.execute(
                    f"ALTER TABLE {self.db.ops.quote_name(table)} ADD CONSTRAINT {self.db.ops.quote_name(name)} "
                    f"{definition} NOT VALID"
                )
        self._pending_validation = [(t, n) for t, n, _ in relaxed.constraints]
        self._relaxed = None

    def after_commit(self) -> None:
        validate_pending_constraints(self.db)


def validate_pending_constraints(db: BaseDatabaseWrapper | None = None) -> int:
    """Validate the register's foreign keys left NOT VALID by a bulk import; return how many.

    Each runs in its own transaction under SHARE UPDATE EXCLUSIVE, which lets reads and writes
    go on. Also called at the start of an import, in case a process died before doing it.
    """
    db = db or connection
    if db.vendor != "postgresql":
        return 0
    with db.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
            WHERE c.contype = 'f' AND NOT c.convalidated AND c.conrelid::regclass::text LIKE 'registry\\_%%'
            """
        )
        pending = cursor.fetchall()
    for table, name in pending:
        with db.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {db.ops.quote_name(table)} VALIDATE CONSTRAINT {db.ops.quote_name(name)}")
    return len(pending)


def fetch_by_keys(
    loader: BulkLoader,
    *,
    select: str,
    table: str,
    key: str,
    keys: Iterable[str],
    schema: Schema,
    total: int,
) -> pl.DataFrame:
    """Rows of TABLE whose KEY is among KEYS: the whole table when KEYS are a large share of
    its TOTAL rows (then filtered in memory), else by chunks of ``IN (…)``."""
    wanted = list(keys)
    if not wanted or total == 0:
        return pl.DataFrame(schema=schema)
    if len(wanted) >= total * _FULL_SCAN_SHARE:
        everything = loader.fetch(f"SELECT {select} FROM {table}", [], schema)  # noqa: S608 — our names
        return everything.join(pl.DataFrame({key: pl.Series(wanted, dtype=pl.Utf8)}), on=key, how="semi")
    parts = []
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        parts.append(loader.fetch(f"SELECT {select} FROM {table} WHERE {key} IN ({marks})", chunk, schema))  # noqa: S608
    return pl.concat(parts)


def loader_for(db: BaseDatabaseWrapper | None = None) -> BulkLoader:
    """The loader for the default (or given) connection's database."""
    db = db or connection
    if db.vendor == "postgresql":
        return PostgresLoader(db)
    if db.vendor == "sqlite":
        return SqliteLoader(db)
    raise NotImplementedError(f"Cơ sở dữ liệu {db.vendor} chưa được hỗ trợ / database {db.vendor} is not supported")
