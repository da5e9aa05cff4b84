"""Jobs left running by a dead worker are failed and handed back to the app that owns them."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dancu.core import jobs
from dancu.core.models import WorkerHeartbeat

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _running(
    worker_ids: list[str], started: dt.datetime, path: str = "tests.job", args: list[object] | None = None
) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=worker_ids,
        task_path=path,
        args_kwargs={"args": args or [], "kwargs": {}},
        backend_name="default",
        run_after=started,
    )


@pytest.fixture
def seen() -> Iterator[list[jobs.AbandonedJob]]:
    calls: list[jobs.AbandonedJob] = []
    jobs.on_abandoned("tests.job")(calls.append)
    yield calls
    jobs._hooks.pop("tests.job")


@pytest.mark.django_db
def test_it_fails_only_the_jobs_of_workers_whose_beat_stopped(seen: list[jobs.AbandonedJob]) -> None:
    jobs.beat("alive", now=NOW - dt.timedelta(seconds=5))
    jobs.beat("silent", now=NOW - dt.timedelta(minutes=5))
    of_alive = _running(["alive"], NOW - dt.timedelta(minutes=10))
    of_silent = _running(["earlier", "silent"], NOW - dt.timedelta(minutes=3), args=[42])
    of_unknown = _running(["never-beat"], NOW - dt.timedelta(minutes=2))
    just_claimed = _running(["never-beat"], NOW - dt.timedelta(seconds=10))

    failed = jobs.fail_abandoned(now=NOW)

    assert set(failed) == {str(of_silent.id), str(of_unknown.id)}
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[of_alive.id] == TaskResultStatus.RUNNING
    assert statuses[just_claimed.id] == TaskResultStatus.RUNNING
    assert statuses[of_silent.id] == TaskResultStatus.FAILED
    of_silent.refresh_from_db()
    assert of_silent.exception_class_path == "dancu.core.jobs.AbandonedByWorkerError"
    assert "silent" in of_silent.traceback
    assert "worker" in of_silent.traceback
    assert sorted((job.worker_id, job.args) for job in seen) == [("never-beat", []), ("silent", [42])]
    # A second sweep finds nothing new and calls no hook again.
    assert jobs.fail_abandoned(now=NOW) == []
    assert len(seen) == 2


@pytest.mark.django_db
def test_a_failing_hook_does_not_stop_the_sweep(seen: list[jobs.AbandonedJob]) -> None:
    def broken(job: jobs.AbandonedJob) -> None:
        raise RuntimeError("boom")

    jobs._hooks["tests.job"].insert(0, broken)
    first = _running(["gone"], NOW - dt.timedelta(minutes=2))
    second = _running(["gone"], NOW - dt.timedelta(minutes=2))
    assert set(jobs.fail_abandoned(now=NOW)) == {str(first.id), str(second.id)}
    assert len(seen) == 2


@pytest.mark.django_db
def test_beats_are_upserted_and_old_ones_forgotten() -> None:
    jobs.beat("w", now=NOW - dt.timedelta(days=3))
    jobs.beat("w", now=NOW - dt.timedelta(days=2))
    assert WorkerHeartbeat.objects.get().seen_at == NOW - dt.timedelta(days=2)
    jobs.fail_abandoned(now=NOW)
    assert not WorkerHeartbeat.objects.exists()
    jobs.beat("w2", now=NOW)
    jobs.stop_beating("w2")
    assert not WorkerHeartbeat.objects.exists()


def test_worker_ids_differ_between_workers() -> None:
    assert jobs.new_worker_id() != jobs.new_worker_id()


_SCRIPT = textwrap.dedent(
    """
    import datetime as dt, json, sys
    import django
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    action = sys.argv[1]
    if action == "enqueue":
        call_command("migrate", interactive=False, verbosity=0)
        from dancu.core.tests.slow_tasks import sleep_for
        print(sleep_for.enqueue(120).id)
    elif action == "status":
        from django_tasks_db.models import DBTaskResult
        r = DBTaskResult.objects.get(id=sys.argv[2])
        print(json.dumps({"status": r.status, "workers": r.worker_ids}))
    elif action == "sweep":
        from dancu.core.jobs import fail_abandoned
        print(json.dumps(fail_abandoned(now=timezone.now() + dt.timedelta(minutes=2))))
    """
)


@pytest.mark.slow
def test_a_job_whose_worker_is_killed_is_failed_by_the_sweep(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DANCU_HOME": str(tmp_path / "home"),
        "DANCU_DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "DANCU_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "dancu.settings",
    }

    def script(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT, *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    result_id = script("enqueue")
    worker = subprocess.Popen(
        [sys.executable, "-m", "dancu", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        state: dict[str, object] = {}
        while time.monotonic() < deadline:
            state = json.loads(script("status", result_id))
            if state["status"] == "RUNNING":
                break
            time.sleep(0.5)
        assert state["status"] == "RUNNING", state
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert json.loads(script("status", result_id))["status"] == "RUNNING"  # what the kill left
    assert json.loads(script("sweep")) == [result_id]
    assert json.loads(script("status", result_id))["status"] == "FAILED"
