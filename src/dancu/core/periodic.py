"""Sweeps that `dancu worker` runs every few seconds, registered by the apps that own them.

Like domain events, this lets a higher app (exchange's webhook retries, for instance) have
background work run without the worker, or any lower app, importing it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["every", "run_due"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Sweep:
    name: str
    interval: float
    function: Callable[[], object]
    next_run: float = 0.0


_sweeps: dict[str, _Sweep] = {}


def every(seconds: float, name: str | None = None) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register ``function`` to run about every ``seconds`` in the worker (call from ``ready``)."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        key = name or f"{function.__module__}.{function.__qualname__}"
        _sweeps[key] = _Sweep(key, seconds, function)
        return function

    return register


def run_due(now: float | None = None) -> list[str]:
    """Run every sweep whose time has come; a failing one is logged and retried next time."""
    moment = time.monotonic() if now is None else now
    ran = []
    for sweep in _sweeps.values():
        if moment < sweep.next_run:
            continue
        sweep.next_run = moment + sweep.interval
        try:
            sweep.function()
        except Exception:
            log.exception("periodic sweep %s failed", sweep.name)
        ran.append(sweep.name)
    return ran
