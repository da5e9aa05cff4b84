"""``dancu registry import``: load persons from a CSV or XLSX file, all or nothing.

Read (:mod:`.reading`) → check every row (:mod:`.checks`) → if any row is bad, refuse the whole
file with a report naming each bad row, column, value and reason (or, with ``skip_invalid``,
write the bad rows to a rejects file and go on) → write the good rows in ONE transaction
(:mod:`.writing`): a crash or ``kill -9`` before the commit leaves the register as it was.
Re-importing a file changes nothing: each person's fingerprint tells unchanged rows apart
without reading them back. The whole import is one audit entry naming the file's SHA-256 and
the counts; every changed person keeps a before/after history row (docs/adr/0002).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dancu.core.audit import Actor, record
from dancu.core.models import Outcome
from dancu.registry.importing.bulk import loader_for, validate_pending_constraints
from dancu.registry.importing.checks import check_table
from dancu.registry.importing.reading import ROW, Table, read_table
from dancu.registry.importing.report import FileProblem, ImportRefusedError, ImportReport, RowError, write_rejects
from dancu.registry.importing.writing import BULK_MIN_ROWS, write_rows
from dancu.registry.models import ImportBatch, Person

__all__ = [
    "BULK_MIN_ROWS",
    "FileProblem",
    "ImportRefusedError",
    "ImportReport",
    "Progress",
    "RowError",
    "import_file",
    "import_table",
]

#: ``progress(stage, done, total)``: stages are read, check, write, existing, households, relax,
#: gather, persons, residences, changes, indexes, analyze, commit, validate; ``total`` is 0 when
#: unknown.
Progress = Callable[[str, int, int], None]

IMPORT_ACTION = "registry.import"


def _silent(stage: str, done: int, total: int) -> None:
    """The default progress callback: say nothing."""


class _Stopwatch:
    """Passes progress on, and adds up the seconds spent in each stage."""

    def __init__(self, report: ImportReport, progress: Progress, started: float) -> None:
        self.report = report
        self.progress = progress
        self.stage = "read"
        self.since = started

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.lap(stage)
        self.progress(stage, done, total)

    def lap(self, next_stage: str) -> None:
        now = time.perf_counter()
        self.report.stages[self.stage] = self.report.stages.get(self.stage, 0.0) + now - self.since
        self.stage, self.since = next_stage, now


def _known_personal_ids(personal_ids: Iterable[str]) -> set[str]:
    wanted = list(personal_ids)
    found: set[str] = set()
    for start in range(0, len(wanted), 5000):
        found.update(
            Person.objects.filter(personal_id__in=wanted[start : start + 5000]).values_list("personal_id", flat=True)
        )
    return found


@contextmanager
def _sqlite_foreign_keys_off() -> Iterator[None]:
    """On SQLite, check foreign keys ourselves for the import's transaction.

    Every reference is resolved to an id before writing. With SQLite's own deferred checks on,
    inserting millions of parents while a child is pending makes it scan the child tables for
    each insert; the pragma can only change outside a transaction, so inside one (tests) the
    checks simply stay on.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = ON")


def _refuse(report: ImportReport, actor: Actor) -> ImportRefusedError:
    """Audit the refusal (the register itself is untouched) and build the exception."""
    with transaction.atomic():
        record(
            action=IMPORT_ACTION,
            actor=actor,
            outcome=Outcome.FAILED,
            object_type="registry.importbatch",
            details={
                "file": report.file_name,
                "sha256": report.sha256,
                "rows": report.rows,
                "errors": len(report.errors),
                "file_problems": [p.code for p in report.file_problems],
            },
        )
    return ImportRefusedError(report)


def import_file(
    path: Path,
    *,
    actor: Actor,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: Progress = _silent,
    bulk_min_rows: int = BULK_MIN_ROWS,
) -> ImportReport:
    """Import PATH into the register. Raises :class:`ImportRefusedError` (nothing written) when
    the file cannot be read or has bad rows and ``skip_invalid`` is False."""
    started = time.perf_counter()
    progress("read", 0, 0)
    # Not kept in a local: import_table lets go of the cells once they are checked.
    return import_table(
        read_table(path),
        actor=actor,
        skip_invalid=skip_invalid,
        rejects_path=rejects_path,
        progress=progress,
        bulk_min_rows=bulk_min_rows,
        started=started,
    )


def import_table(
    table: Table,
    *,
    actor: Actor,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: Progress = _silent,
    bulk_min_rows: int = BULK_MIN_ROWS,
    started: float | None = None,
) -> ImportReport:
    """Import rows already read (the demo province comes this way, without a file)."""
    started = time.perf_counter() if started is None else started
    report = ImportReport(
        file_name=table.file_name,
        sha256=table.sha256,
        rows=table.frame.height + len(table.unread_rows),
        columns=list(table.columns),
        ignored_columns=list(table.ignored_columns),
        file_problems=list(table.problems),
    )
    if report.file_problems:
        raise _refuse(report, actor)
    watch = _Stopwatch(report, progress, started)
    today = timezone.localdate()
    watch("check", 0, table.frame.height)
    checked = check_table(
        table,
        home_province=settings.DANCU_PROVINCE_CODE,
        today=today,
        known_personal_ids=_known_personal_ids,
    )
    report.errors = checked.errors
    report.warnings = checked.warnings
    report.rejected = report.bad_rows
    if checked.errors:
        if not skip_invalid:
            report.seconds = time.perf_counter() - started
            raise _refuse(report, actor)
        if rejects_path is not None:
            _write_rejects(rejects_path, table, checked.errors)
            report.rejects_file = str(rejects_path)
    report.mapped_units = checked.frame.filter(pl.col("unit_mapped")).height
    # The cells as read are no longer needed (the rejects are written): free them before the
    # writer gathers its own rows.
    table = dataclasses.replace(table, frame=table.frame.clear())
    watch("write", 0, 0)

    loader = loader_for()
    validate_pending_constraints()
    now = timezone.now()
    with _sqlite_foreign_keys_off(), loader.tuned(), transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=table.file_name[:300],
            sha256=table.sha256,
            rows=report.rows,
            rejected=report.rejected,
            actor_id=actor.id[:100],
            started_at=now,
            skip_invalid=skip_invalid,
        )
        written = write_rows(
            checked,
            loader=loader,
            batch_id=batch.pk,
            actor_id=actor.id,
            reason=f"import {table.file_name} ({table.sha256[:12]})"[:300],
            now=now,
            today=today,
            progress=watch,
            bulk_min_rows=bulk_min_rows,
        )
        report.batch_id = batch.pk
        report.created = written.created
        report.updated = written.updated
        report.unchanged = written.unchanged
        report.households_created = written.households_created
        report.households_updated = written.households_updated
        report.bulk_mode = written.bulk_mode
        batch.created = written.created
        batch.updated = written.updated
        batch.unchanged = written.unchanged
        batch.households_created = written.households_created
        batch.households_updated = written.households_updated
        batch.mapped_units = report.mapped_units
        batch.finished_at = timezone.now()
        batch.save(
            update_fields=[
                "created",
                "updated",
                "unchanged",
                "households_created",
                "households_updated",
                "mapped_units",
                "finished_at",
            ]
        )
        report.applied = True
        record(
            action=IMPORT_ACTION,
            actor=actor,
            object_type="registry.importbatch",
            object_id=batch.pk,
            details={k: v for k, v in report.counts().items() if k not in {"seconds", "applied"}},
        )
        watch("commit", 0, 0)
    # The import is done (and visible) at commit; what follows only tidies up.
    watch("validate", 0, 0)
    report.seconds = time.perf_counter() - started
    loader.after_commit()
    watch.lap("done")
    return report


def _write_rejects(path: Path, table: Table, errors: list[RowError]) -> None:
    bad = sorted({e.row for e in errors})
    frame = table.frame.filter(pl.col(ROW).is_in(bad))
    rows = [(row[0], list(row[1:])) for row in frame.select(ROW, *table.columns).iter_rows()]
    rows += [(row, values) for row, values in table.unread_rows]
    rows.sort(key=lambda item: item[0])
    write_rejects(path, table.columns, rows, errors)
