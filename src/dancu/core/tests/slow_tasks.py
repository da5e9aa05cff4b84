"""A task for the job-recovery tests: it sleeps, so a test can kill the worker running it."""

from __future__ import annotations

import time

from django_tasks import task


@task()
def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
