"""`dancu serve` as an operator runs it: a real gunicorn process, migrations, health, static files."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_it_serves_health_and_static_files_on_a_fresh_home(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DANCU_HOME": str(tmp_path / "home"),
        # Always the embedded database: this test must never migrate the CI's shared database.
        "DANCU_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "DANCU_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "dancu.settings",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "dancu", "serve", "--no-demo", "--port", str(port), "--workers", "1", "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
                time.sleep(0.3)
        assert health is not None, "server did not start within 60 s"
        assert health.status_code == 200
        assert health.json()["database"] == "ok"
        css = httpx.get(f"http://127.0.0.1:{port}/static/dancu/site.css", timeout=5)
        assert css.status_code == 200
        assert "--brand" in css.text
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert home.status_code == 200
        assert "Dancu" in home.text
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert (tmp_path / "serve.sqlite3").exists()
