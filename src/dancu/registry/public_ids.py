"""Public ids: the random UUIDs that name persons and households in page URLs (ADR 9).

A single row takes ``uuid.uuid4`` (the models' default); a bulk load draws millions at once from
the operating system's random source, marked as version-4 UUIDs the same way, in a fraction of
the time ``uuid.uuid4`` takes one by one.
"""

from __future__ import annotations

import os
from typing import Final

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints

__all__ = ["random_public_ids"]

# Byte 6 carries the version nibble (4), byte 8 the RFC 4122 variant bits (10xx).
_VERSION: Final = bytes(b & 0x0F | 0x40 for b in range(256))
_VARIANT: Final = bytes(b & 0x3F | 0x80 for b in range(256))


def random_public_ids(count: int, name: str = "public_id") -> pl.Series:
    """COUNT fresh version-4 UUIDs as 32 lower-case hex digits (how SQLite stores a UUIDField;
    PostgreSQL's ``uuid`` reads the same text)."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = raw[6::16].translate(_VERSION)
    raw[8::16] = raw[8::16].translate(_VARIANT)
    fixed = pa.Array.from_buffers(pa.binary(16), count, [None, pa.py_buffer(raw)])
    series = pl.Series(name, fixed.cast(pa.binary()))
    return series.bin.encode("hex")
