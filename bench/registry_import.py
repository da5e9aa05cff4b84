"""Benchmark: ``dancu registry import`` against the database's own bulk load of the same file.

    .venv/bin/python bench/registry_import.py --people 2000000 [--backends sqlite,postgresql]
        [--pg-url postgresql://postgres@127.0.0.1:5432] [--workdir var/bench] [--reimport]

For each backend, on a fresh database:

- raw: the CSV loaded into one plain table of text columns by the database's bulk path in one
  transaction (SQLite: Python's csv reader + ``executemany``; PostgreSQL: ``COPY FROM STDIN``);
- import: ``dancu registry import FILE`` on a migrated, empty register (the command's own timing
  from its JSON line, and the wall time of the process);
- reimport (``--reimport``): the same file again, which must change nothing.

Prints a Markdown table (rows/s and the import's share of the raw rate) for docs/benchmarks.md.
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
    print("| backend | step | seconds | rows/s | share of raw rate | wall (with process start) | peak memory |")
    print("|---|---|---:|---:|---:|---:|---:|")
    raw_rate: dict[str, float] = {}
    for row in results:
        seconds = float(row["seconds"])  # type: ignore[arg-type]
        rate = args.people / seconds
        backend = str(row["backend"])
        if row["step"] == "raw bulk load":
            raw_rate[backend] = rate
        share = rate / raw_rate[backend]
        peak = f"{float(row['peak']):.1f} GB" if row.get("peak") else "—"  # type: ignore[arg-type]
        print(
            f"| {backend} | {row['step']} | {seconds:.1f} | {rate:,.0f} | {share:.0%} | {float(row['wall']):.1f} | {peak} |"  # type: ignore[arg-type]
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
