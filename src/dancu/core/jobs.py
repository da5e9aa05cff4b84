"""Background jobs that outlive the worker that ran them.

django-tasks marks a job ``RUNNING`` when a worker claims it and ``SUCCESSFUL`` or ``FAILED``
when the worker finishes it; a worker killed in between (``kill -9``, the machine lost) leaves
the job running for ever, and the person who submitted it watches a progress bar that never
moves. Each ``dancu worker`` therefore beats (:func:`beat`) while it lives, and
:func:`fail_abandoned` — a sweep every worker runs — fails the jobs whose worker's beat stopped,
then tells the app that owns the job, through a hook it registered with :func:`on_abandoned`,
so the app can mark its own record (a linkage job, a batch verification) failed with a message
the user understands and let them start again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from dancu.core.models import WorkerHeartbeat

__all__ = [
    "ABANDONED_AFTER",
    "AbandonedByWorkerError",
    "AbandonedJob",
    "beat",
    "fail_abandoned",
    "live_workers",
    "new_worker_id",
    "on_abandoned",
    "stop_beating",
]

log = logging.getLogger(__name__)

#: A worker beats every few seconds; one silent for this long is taken for dead.
ABANDONED_AFTER = dt.timedelta(seconds=60)


class AbandonedByWorkerError(RuntimeError):
    """Recorded as the failure of a job whose worker died while running it."""


@dataclass(frozen=True, slots=True)
class AbandonedJob:
    """What an app's hook learns about one of its jobs that was failed for a dead worker."""

    result_id: str
    task_path: str
    args: list[Any]
    kwargs: dict[str, Any]
    worker_id: str
    started_at: dt.datetime | None


Hook = Callable[[AbandonedJob], None]
_hooks: dict[str, list[Hook]] = {}


def on_abandoned(task: Task[Any, Any] | str) -> Callable[[Hook], Hook]:
    """Register ``hook`` for jobs of ``task`` (a task or its module path) failed for a dead worker.

    Called from the owning app's ``ready``; the hook runs in its own transaction after the job
    was failed and must be idempotent (a sweep that crashes half-way runs again).
    """
    path = task if isinstance(task, str) else task.module_path

    def register(hook: Hook) -> Hook:
        _hooks.setdefault(path, []).append(hook)
        return hook

    return register


def new_worker_id() -> str:
    """A worker id unique to this process: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:60]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def beat(worker_id: str, *, now: dt.datetime | None = None) -> None:
    """Say that ``worker_id`` is alive (one small upsert; the worker calls it every few seconds)."""
    at = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=at)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, host=socket.gethostname()[:255], pid=os.getpid(), started_at=at, seen_at=at
        )


def stop_beating(worker_id: str) -> None:
    """A worker that stops cleanly removes its beat (its jobs finished or were never claimed)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def live_workers(*, now: dt.datetime | None = None, after: dt.timedelta = ABANDONED_AFTER) -> set[str]:
    """The ids of the workers (and ``dancu link`` processes) that have beaten within ``after``."""
    at = now or timezone.now()
    return set(WorkerHeartbeat.objects.filter(seen_at__gte=at - after).values_list("worker_id", flat=True))


def fail_abandoned(*, now: dt.datetime | None = None, after: dt.timedelta = ABANDONED_AFTER) -> list[str]:
    """Fail every running job whose worker has not beaten for ``after``; return their ids.

    A job claimed by a worker that never beat at all (an older worker, or one killed before its
    first beat) counts as abandoned once it has been running for ``after``.
    """
    at = now or timezone.now()
    alive = live_workers(now=at, after=after)
    failed: list[str] = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=at - after)
    for result_id in running.values_list("id", flat=True):
        job = _fail_if_abandoned(result_id, alive)
        if job is None:
            continue
        failed.append(job.result_id)
        for hook in _hooks.get(job.task_path, []):
            try:
                with transaction.atomic():
                    hook(job)
            except Exception:
                log.exception("abandoned-job hook %s failed for %s", hook, job.result_id)
    # Beats of workers dead for a day say nothing any more.
    WorkerHeartbeat.objects.filter(seen_at__lt=at - dt.timedelta(days=1)).delete()
    return failed


def _fail_if_abandoned(result_id: uuid.UUID, alive: set[str]) -> AbandonedJob | None:
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(id=result_id).first()
        if result is None or result.status != TaskResultStatus.RUNNING:
            return None  # it finished meanwhile
        worker_id = result.worker_ids[-1] if result.worker_ids else ""
        if worker_id in alive:
            return None
        log.warning("job %s (%s) abandoned by dead worker %s", result.id, result.task_path, worker_id)
        result.set_failed(
            AbandonedByWorkerError(
                f"Tiến trình nền {worker_id or '?'} đã dừng khi đang chạy việc này / "
                f"the worker {worker_id or '?'} stopped while running this job"
            )
        )
        return AbandonedJob(
            result_id=str(result.id),
            task_path=result.task_path,
            args=list(result.args_kwargs.get("args", [])),
            kwargs=dict(result.args_kwargs.get("kwargs", {})),
            worker_id=worker_id,
            started_at=result.started_at,
        )
