"""A real ``kill -9`` of ``dancu registry import`` halfway through a large file leaves the
database exactly as it was: the same counts, the same indexes, the same constraints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from dancu.registry.synthetic import write_csv as write_synthetic_csv
from dancu.registry.tests.conftest import PEOPLE, write_csv

_ROWS = 110_000  # two COPY/executemany chunks: we kill after the first
# Stages after persons that still run inside the import's one transaction (see importing.Progress).
_LATER_STAGES = {"residences", "changes", "indexes", "analyze"}


def _dancu(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dancu", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


_SETUP = """
import django, json
django.setup()
from pathlib import Path
from django.core.management import call_command
from dancu.core.audit import Actor
from dancu.registry.importing import import_file
from dancu.registry.queries import register_counts
call_command("migrate", verbosity=0)
import_file(Path({seed!r}), actor=Actor(kind="system", id="tests"))
print(json.dumps(register_counts()))
"""


def _python(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _schema(env: dict[str, str]) -> list[str]:
    """The register's indexes and constraints, as the database describes them."""
    url = env["DANCU_DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return sorted(
                row[0] or "" for row in db.execute("SELECT sql FROM sqlite_master WHERE tbl_name LIKE 'registry_%'")
            )
    with psycopg.connect(url) as db:
        indexes = db.execute("SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'registry\\_%'").fetchall()
        constraints = db.execute(
            "SELECT conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated::text "
            "FROM pg_constraint WHERE conrelid::regclass::text LIKE 'registry\\_%'"
        ).fetchall()
        defaults = db.execute(
            "SELECT table_name || '.' || column_name || ' ' || column_default FROM information_schema.columns "
            "WHERE table_name LIKE 'registry\\_%' AND column_default IS NOT NULL"
        ).fetchall()
    return sorted(row[0] for row in [*indexes, *constraints, *defaults])


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own for the subprocesses: a file on SQLite, a new database on PostgreSQL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        return
    db = settings.DATABASES["default"]
    name = f"{db.get('TEST', {}).get('NAME') or 'test_' + db['NAME']}_kill"
    server = f"postgresql://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_it_leaves_the_database_as_it_was_after_kill_9(tmp_path: Path, fresh_database: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dancu.settings",
        "DANCU_ENV": "development",
        "DANCU_HOME": str(tmp_path / "home"),
        "DANCU_DATABASE_URL": fresh_database,
    }
    env.pop("DANCU_TEST_DATABASE_NAME", None)
    seed = write_csv(tmp_path / "seed.csv", PEOPLE)
    # One process migrates, imports a small register and counts it (each start costs seconds).
    counts_before = json.loads(_python(env, _SETUP.format(seed=str(seed))).splitlines()[-1])
    big = tmp_path / "big.csv"
    write_synthetic_csv(big, _ROWS, seed=9)
    schema_before = _schema(env)

    started = time.monotonic()
    importing = subprocess.Popen(
        [sys.executable, "-m", "dancu", "registry", "import", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert importing.stderr is not None
    seen = []
    for line in importing.stderr:
        seen.append(line.strip())
        # Kill inside the transaction, once persons are being written: at the first progress line
        # past the start of the persons stage (lines come at most once a second, so on a fast
        # database the next one may already belong to a later stage, still before the commit).
        words = line.split("] ", 1)[-1].split()
        stage, counted = (words[0], words[1] if len(words) > 1 else "") if words else ("", "")
        if (stage == "persons" and not counted.startswith("0/")) or stage in _LATER_STAGES:
            os.kill(importing.pid, signal.SIGKILL)
            break
    assert importing.wait(timeout=30) == -signal.SIGKILL, seen
    assert time.monotonic() - started < 60

    assert json.loads(_dancu(env, "registry", "stats")) == counts_before
    assert _schema(env) == schema_before
    assert counts_before["persons"] == len(PEOPLE)
