"""The demo province: a synthetic register loaded through the same bulk path as an import.

``dancu demo --people N --seed S`` and ``dancu serve`` (on an empty database) call
:func:`load_demo_province`. The rows come from :mod:`dancu.registry.synthetic` straight into the
import's checks and writer, without a file in between; the same (N, S) always gives the same
province, so a second run finds every person unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any, Final

import polars as pl
from django.conf import settings

from dancu.core.audit import Actor
from dancu.registry.importing import Progress, import_table
from dancu.registry.importing.reading import ROW, Table
from dancu.registry.synthetic import HEADER, generate_rows

__all__ = ["DEMO_ACTOR", "demo_table", "load_demo_province"]

DEMO_ACTOR: Final = Actor.system("dancu-demo")
# Rows turned into columns at a time: bounded memory for the Python tuples, few polars chunks.
_CHUNK: Final = 200_000


def _chunks(people: int, seed: int, province_code: str) -> Iterator[pl.DataFrame]:
    rows = generate_rows(people, seed, province_code)
    number = 2  # as if read from a file whose header is row 1
    while True:
        batch: list[tuple[str, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == _CHUNK:
                break
        if not batch:
            return
        columns = list(zip(*batch, strict=True))
        frame = pl.DataFrame(
            {name: pl.Series(name, values, dtype=pl.Utf8) for name, values in zip(HEADER, columns, strict=True)}
        )
        yield frame.with_columns(pl.int_range(number, number + len(batch), dtype=pl.Int64).alias(ROW)).select(
            ROW, *HEADER
        )
        number += len(batch)


def demo_table(people: int, seed: int, province_code: str | None = None) -> Table:
    """The synthetic province of PEOPLE persons as an import table (no file)."""
    province = province_code or settings.DANCU_PROVINCE_CODE
    frames = list(_chunks(people, seed, province))
    frame = (
        pl.concat(frames)
        if frames
        else pl.DataFrame({ROW: pl.Series([], dtype=pl.Int64), **{c: pl.Series([], dtype=pl.Utf8) for c in HEADER}})
    )
    identity = hashlib.sha256(f"dancu-demo|{province}|{people}|{seed}".encode()).hexdigest()
    return Table(file_name=f"demo-{province}-{people}-{seed}", sha256=identity, frame=frame, columns=list(HEADER))


def load_demo_province(people: int, seed: int, *, progress: Progress | None = None) -> dict[str, Any]:
    """Build and load a synthetic province of PEOPLE persons; return what was loaded."""
    options: dict[str, Any] = {} if progress is None else {"progress": progress}
    report = import_table(demo_table(people, seed), actor=DEMO_ACTOR, **options)
    return {
        "province_code": settings.DANCU_PROVINCE_CODE,
        "people": people,
        "seed": seed,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "households_created": report.households_created,
        "batch_id": report.batch_id,
        "seconds": round(report.seconds, 2),
    }
