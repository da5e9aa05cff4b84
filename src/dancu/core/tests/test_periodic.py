"""Sweeps registered by apps and run by the worker."""

from __future__ import annotations

from dancu.core import periodic


def test_it_runs_a_sweep_when_due_and_not_before() -> None:
    calls: list[int] = []
    periodic.every(10, name="test.count")(lambda: calls.append(1))
    try:
        assert "test.count" in periodic.run_due(now=1_000.0)
        assert "test.count" not in periodic.run_due(now=1_005.0)
        assert "test.count" in periodic.run_due(now=1_010.0)
        assert calls == [1, 1]
    finally:
        periodic._sweeps.pop("test.count")


def test_it_keeps_running_other_sweeps_when_one_fails() -> None:
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    periodic.every(1, name="test.broken")(broken)
    periodic.every(1, name="test.fine")(lambda: calls.append("fine"))
    try:
        ran = periodic.run_due(now=5_000.0)
        assert {"test.broken", "test.fine"} <= set(ran)
        assert calls == ["fine"]
    finally:
        periodic._sweeps.pop("test.broken")
        periodic._sweeps.pop("test.fine")
