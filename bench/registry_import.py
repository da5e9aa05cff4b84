"""Benchmark: ``dancu registry import`` against the database's own bulk load of the same file.

    .venv/bin/python bench/registry_import.py --people 2000000 [--backends sqlite,postgresql]
        [--pg-url postgresql://postgres@127.0.0.1:5432] [--workdir var/bench] [--reimport]

For each backend, on a fresh database:

- raw: the CSV loaded into one plain table of text columns by the database's bulk path in one
  transaction (SQLite: Python's csv reader + ``executemany``; PostgreSQL: ``COPY FROM STDIN``);
- import: ``dancu registry import FILE`` on a migrated, empty register (the command's own timing
  from its JSON line, and the wall time of the process);
- reimport (``--reimport``): the same file again, which must change nothing;
- schema bulk load: the rows the import wrote (its import batch, persons, households,
  permanent residences, former ID numbers), exported from its database outside the timing, loaded
  by the database's bulk path in one transaction into a freshly migrated register with every
  index and constraint the migrations define kept live (SQLite: ``executemany`` with Dancu's
  pragmas, foreign keys on; PostgreSQL: ``COPY FROM STDIN``, deferred foreign keys checked at
  the commit); timed from the first write to the commit. What the schema alone costs the
  database, without any of the import's checks.

Prints a Markdown table (rows/s, the import's share of the raw rate and of the schema bulk load)
for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def synthetic_csv(workdir: Path, people: int, seed: int) -> Path:
    """The synthetic province as CSV, generated once per (people, seed)."""
    path = workdir / f"province-{people}-{seed}.csv"
    if not path.exists():
        started = time.perf_counter()
        subprocess.run(
            [
                PYTHON,
                "-c",
                f"from dancu.registry.synthetic import write_csv; write_csv({str(path)!r}, {people}, {seed})",
            ],
            check=True,
        )
        print(f"generated {path.name} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return path


def raw_sqlite(path: Path, db_file: Path) -> float:
    """Seconds to load PATH into one text table with csv + executemany, one transaction."""
    for leftover in db_file.parent.glob(db_file.name + "*"):
        leftover.unlink()
    db = sqlite3.connect(db_file, isolation_level=None)
    # The same pragmas as Dancu's own SQLite connections.
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-65536")
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        db.execute(f"CREATE TABLE raw ({', '.join(f'{c} TEXT' for c in header)})")
        db.execute("BEGIN")
        db.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(header))})", reader)  # noqa: S608 — placeholders only
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def raw_postgresql(path: Path, server: str, name: str) -> float:
    """Seconds to COPY PATH into one text table of a fresh database, one transaction."""
    fresh_postgresql(server, name)
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with psycopg.connect(f"{server}/{name}") as db:
        started = time.perf_counter()
        with db.transaction():
            db.execute(f"CREATE TABLE raw ({', '.join(f'{c} TEXT' for c in header)})")
            with (
                db.cursor().copy("COPY raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as data,
            ):
                while block := data.read(1 << 20):
                    copy.write(block)
        return time.perf_counter() - started


# What the import writes, parents first; the import batch is the one row its persons point to.
SCHEMA_TABLES = (
    "registry_importbatch",
    "registry_household",
    "registry_person",
    "registry_residence",
    "registry_formeridnumber",
)


def schema_sqlite(source: Path, db_file: Path, env: dict[str, str]) -> tuple[float, dict[str, int]]:
    """Seconds to load the import's rows (read from SOURCE beforehand) into a freshly migrated
    register with executemany, one transaction, indexes and foreign keys as migrated."""
    with sqlite3.connect(source) as db:
        tables = {t: (_sqlite_columns(db, t), db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in SCHEMA_TABLES}  # noqa: S608 — our table names
    for leftover in db_file.parent.glob(db_file.name + "*"):
        leftover.unlink()
    dancu({**env, "DANCU_DATABASE_URL": f"sqlite:///{db_file}"}, "manage", "migrate", "-v0")
    db = sqlite3.connect(db_file, isolation_level=None)
    # Dancu's own connection pragmas (settings.py), foreign keys included.
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "cache_size=-65536",
        "mmap_size=268435456",
    ):
        db.execute(f"PRAGMA {pragma}")
    assert all(_sqlite_columns(db, t) == columns for t, (columns, _) in tables.items()), "schemas differ"
    started = time.perf_counter()
    db.execute("BEGIN")
    for table, (columns, rows) in tables.items():
        db.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(columns))})', rows)  # noqa: S608 — placeholders only
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    assert not db.execute("PRAGMA foreign_key_check").fetchall()
    counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in SCHEMA_TABLES}  # noqa: S608
    db.close()
    return seconds, counts


def _sqlite_columns(db: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    return [(row[1], row[2]) for row in db.execute(f'PRAGMA table_info("{table}")')]


def schema_postgresql(
    server: str, source: str, name: str, workdir: Path, env: dict[str, str]
) -> tuple[float, dict[str, int]]:
    """Seconds to COPY the import's rows (exported from database SOURCE beforehand) into a freshly
    migrated register, one transaction, indexes and constraints as migrated."""
    files = {table: workdir / f"schema-{table}.copy" for table in SCHEMA_TABLES}
    with psycopg.connect(f"{server}/{source}") as db:
        for table, file in files.items():
            with db.cursor().copy(f"COPY {table} TO STDOUT") as copy, file.open("wb") as out:
                for block in copy:
                    out.write(block)
    fresh_postgresql(server, name)
    dancu({**env, "DANCU_DATABASE_URL": f"{server}/{name}"}, "manage", "migrate", "-v0")
    with psycopg.connect(f"{server}/{name}") as db:
        started = time.perf_counter()
        with db.transaction():
            for table, file in files.items():
                with db.cursor().copy(f"COPY {table} FROM STDIN") as copy, file.open("rb") as data:
                    while block := data.read(1 << 20):
                        copy.write(block)
        seconds = time.perf_counter() - started
        counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in SCHEMA_TABLES}  # type: ignore[index]  # noqa: S608
    for file in files.values():
        file.unlink()
    return seconds, counts


def fresh_postgresql(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def dancu(env: dict[str, str], *args: str) -> tuple[float, str, float]:
    """Run ``dancu ARGS``; return (wall seconds, last stdout line, peak memory in GB or 0 when
    /usr/bin/time is not there to measure it)."""
    measure = ["/usr/bin/time", "-f", "maxrss_kb=%M"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    done = subprocess.run(
        [*measure, PYTHON, "-m", "dancu", *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"dancu {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    peak = [line for line in done.stderr.splitlines() if line.startswith("maxrss_kb=")]
    gigabytes = int(peak[-1].removeprefix("maxrss_kb=")) / 1e6 if peak else 0.0
    return seconds, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "", gigabytes


def run_backend(backend: str, path: Path, people: int, args: argparse.Namespace) -> list[dict[str, object]]:
    workdir: Path = args.workdir
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dancu.settings", "DANCU_ENV": "development"}
    env["DANCU_HOME"] = str(workdir / f"home-{backend}")
    if backend == "sqlite":
        raw = raw_sqlite(path, workdir / "raw.sqlite3")
        db_file = workdir / "dancu-bench.sqlite3"
        for leftover in workdir.glob(db_file.name + "*"):
            leftover.unlink()
        env["DANCU_DATABASE_URL"] = f"sqlite:///{db_file}"
    else:
        raw = raw_postgresql(path, args.pg_url, "dancu_bench_raw")
        fresh_postgresql(args.pg_url, "dancu_bench")
        env["DANCU_DATABASE_URL"] = f"{args.pg_url}/dancu_bench"
    dancu(env, "manage", "migrate", "-v0")
    rows: list[dict[str, object]] = [{"backend": backend, "step": "raw bulk load", "seconds": raw, "wall": raw}]
    steps = [("dancu registry import", (people, 0, 0))]
    if args.reimport:
        steps.append(("re-import (unchanged)", (0, 0, people)))
    for step, expected in steps:
        full_report = workdir / f"report-{backend}-{len(rows)}.json"
        wall, line, peak = dancu(env, "registry", "import", str(path), "--quiet", "--report", str(full_report))
        report = json.loads(line)
        assert (report["created"], report["updated"], report["unchanged"]) == expected, report
        stages = json.loads(full_report.read_text(encoding="utf-8"))["stages"]
        rows.append(
            {
                "backend": backend,
                "step": step,
                "seconds": report["seconds"],
                "wall": wall,
                "peak": peak,
                "stages": stages,
            }
        )
    _, stats, _ = dancu(env, "registry", "stats")
    print(f"{backend}: {stats}", file=sys.stderr)
    if backend == "sqlite":
        schema, counts = schema_sqlite(workdir / "dancu-bench.sqlite3", workdir / "schema.sqlite3", env)
    else:
        schema, counts = schema_postgresql(args.pg_url, "dancu_bench", "dancu_bench_schema", workdir, env)
    print(f"{backend}: schema bulk load rows {counts}", file=sys.stderr)
    assert counts["registry_person"] == people, counts
    rows.insert(1, {"backend": backend, "step": "schema bulk load", "seconds": schema, "wall": schema})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--reimport", action="store_true", help="also time a re-import of the same file")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = synthetic_csv(args.workdir, args.people, args.seed)
    results: list[dict[str, object]] = []
    for backend in args.backends.split(","):
        results += run_backend(backend.strip(), path, args.people, args)

    print(
        f"\n{args.people:,} people, {path.stat().st_size / 1e6:.0f} MB CSV; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n"
    )
    print(
        "| backend | step | seconds | rows/s | share of raw rate | share of schema bulk load "
        "| wall (with process start) | peak memory |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    raw_rate: dict[str, float] = {}
    schema_rate = {
        str(row["backend"]): args.people / float(row["seconds"]) for row in results if row["step"] == "schema bulk load"
    }  # type: ignore[arg-type]
    for row in results:
        seconds = float(row["seconds"])  # type: ignore[arg-type]
        rate = args.people / seconds
        backend = str(row["backend"])
        if row["step"] == "raw bulk load":
            raw_rate[backend] = rate
        share = rate / raw_rate[backend]
        of_schema = "—" if row["step"] == "raw bulk load" else f"{rate / schema_rate[backend]:.0%}"
        peak = f"{float(row['peak']):.1f} GB" if row.get("peak") else "—"  # type: ignore[arg-type]
        print(
            f"| {backend} | {row['step']} | {seconds:.1f} | {rate:,.0f} | {share:.0%} | {of_schema} "
            f"| {float(row['wall']):.1f} | {peak} |"  # type: ignore[arg-type]
        )
    staged = [row for row in results if "stages" in row]
    names = list(dict.fromkeys(name for row in staged for name in row["stages"]))  # type: ignore[attr-defined]
    print("\nSeconds per stage of the import (from --report):\n")
    print("| backend | step | " + " | ".join(names) + " |")
    print("|---|---|" + "---:|" * len(names))
    for row in staged:
        stages = row["stages"]
        cells = " | ".join(f"{stages.get(name, 0):.1f}" for name in names)  # type: ignore[attr-defined]
        print(f"| {row['backend']} | {row['step']} | {cells} |")


if __name__ == "__main__":
    main()
