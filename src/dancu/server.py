"""``dancu serve``, ``dancu worker`` and ``dancu demo``: running the platform.

``serve`` migrates the database, loads a demo province into an empty one, then runs the web
processes (gunicorn) beside one ``worker`` process that runs background jobs, delivers domain
events and seals the audit chain.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from typing import Any

import typer

log = logging.getLogger("dancu.server")


def register_platform_commands(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("demo")(demo)


def serve(
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe / address to listen on"),
    port: int = typer.Option(8000, help="Cổng / port"),
    workers: int = typer.Option(0, min=0, help="Web processes (0: one per CPU core; one on SQLite)"),
    threads: int = typer.Option(0, min=0, help="Threads per web process (0: 8; 16 on SQLite)"),
    no_demo: bool = typer.Option(False, "--no-demo", help="Không nạp tỉnh mẫu / do not load the demo province"),
    demo_people: int = typer.Option(0, help="Demo size when loading one (0: DANCU_DEMO_PEOPLE)"),
    with_worker: bool = typer.Option(True, "--worker/--no-worker", help="Run the background worker beside the web"),
) -> None:
    """Migrate, load the demo province into an empty database, and serve web + APIs."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from dancu.registry.models import Person

    if not no_demo and not Person.objects.exists():
        people = demo_people or settings.DANCU_DEMO_PEOPLE
        typer.echo(f"Đang tạo tỉnh mẫu {people} người / building a demo province of {people} people…")
        _run_demo(people, seed=2025)
    worker_process: subprocess.Popen[bytes] | None = None
    if with_worker:
        worker_process = subprocess.Popen([sys.executable, "-m", "dancu", "worker"])
    try:
        shape_workers, shape_threads = server_shape(settings.DATABASES["default"]["ENGINE"], os.cpu_count() or 1)
        _run_gunicorn(host, port, workers or shape_workers, threads or shape_threads)
    finally:
        if worker_process is not None and worker_process.poll() is None:
            worker_process.send_signal(signal.SIGTERM)
            worker_process.wait(timeout=30)


def server_shape(engine: str, cpus: int) -> tuple[int, int]:
    """The default web processes and threads per process for a database engine.

    PostgreSQL: one process per core, each with eight threads that overlap their database waits;
    on two cores this served 20-40 % more audited gateway calls than two processes of four threads
    per core, with a shorter tail, since fewer processes split the keep-alive connections less
    unevenly. SQLite: one process of sixteen threads. Every gateway call there is a write and
    SQLite has one writer; the threads of one process queue for it in order
    (:func:`dancu.exchange.calls.call_transaction`), while between processes SQLite's busy handler
    polls, unfairly, and the tail at 64 clients went past 300 ms (docs/benchmarks.md, "Exchange:
    audited verifications").
    """
    if engine == "django.db.backends.sqlite3":
        return 1, 16
    return cpus, 8


def _run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from dancu.wsgi import application

    class DancuServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 60,
                "graceful_timeout": 20,
                "accesslog": None,
                "backlog": 256,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    typer.echo(f"Dancu đang phục vụ tại / serving at http://{host}:{port}/")
    DancuServer().run()


def worker(
    interval: float = typer.Option(1.0, help="Seconds between passes"),
    once: bool = typer.Option(False, help="Do one pass and exit"),
) -> None:
    """Run background jobs, deliver pending domain events and seal the audit chain."""
    from django.db import close_old_connections
    from django_tasks_db.management.commands.db_worker import Worker

    from dancu.core.audit import seal_pending
    from dancu.core.events import deliver_pending
    from dancu.core.jobs import beat, new_worker_id, stop_beating
    from dancu.core.periodic import run_due

    worker_id = new_worker_id()
    stop = threading.Event()
    task_worker = Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
    )

    def shut_down(*_: object) -> None:
        stop.set()
        task_worker.running = False

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    if not once:
        threading.Thread(target=task_worker.run, name="dancu-tasks", daemon=True).start()
    passes = 0
    while not stop.is_set():
        close_old_connections()
        try:
            if passes % 5 == 0:
                beat(worker_id)  # before any job is claimed, and every ~5 s after
            deliver_pending()
            # Every 10 minutes a full sweep also finds entries whose transactions committed late.
            seal_pending(full=passes % 600 == 0)
            run_due()
        except Exception:
            log.exception("worker pass failed")
        passes += 1
        if once:
            break
        stop.wait(interval)
    try:
        stop_beating(worker_id)
    except Exception:
        log.exception("could not remove the worker's heartbeat")


def demo(
    people: int = typer.Option(..., "--people", min=1, help="Số người / number of people"),
    seed: int = typer.Option(2025, help="Hạt giống ngẫu nhiên / random seed"),
) -> None:
    """Build a synthetic province of N people and print the demo accounts."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    _run_demo(people, seed)


def _run_demo(people: int, seed: int) -> None:
    import importlib

    from dancu.registry.demo import load_demo_province

    summary: dict[str, Any] = {"register": load_demo_province(people=people, seed=seed)}
    # Each app adds its demo part when it is installed; imported by name, as dancu.cli mounts the
    # apps' commands, so the platform's entry points import no app above the register.
    for module_name, attr, key in (
        ("dancu.identity.demo", "create_demo_accounts", "accounts"),
        ("dancu.exchange.demo", "create_demo_exchange", "exchange"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        summary[key] = getattr(module, attr)()
    typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
