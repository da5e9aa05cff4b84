"""``dancu serve``'s default web shape follows the database: SQLite's single writer is queued in
order only inside one process, so SQLite gets one process; PostgreSQL one per core."""

from __future__ import annotations

from dancu.server import server_shape


def test_sqlite_serves_from_one_process_so_its_writers_queue_in_order() -> None:
    assert server_shape("django.db.backends.sqlite3", 2) == (1, 16)
    assert server_shape("django.db.backends.sqlite3", 8) == (1, 16)


def test_postgresql_serves_one_process_per_core() -> None:
    assert server_shape("django.db.backends.postgresql", 2) == (2, 8)
    assert server_shape("django.db.backends.postgresql", 8) == (8, 8)
