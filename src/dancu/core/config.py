"""Typed readers for ``DANCU_*`` environment variables.

Every operator setting is read here, once, at start-up, and a wrong value fails loudly
with the variable's name, so a misconfigured deployment never starts half-working.
``.env.example`` at the top of the repository lists every variable.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigError(RuntimeError):
    """A ``DANCU_*`` variable is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str:
    """The variable's value, or ``default``; a missing variable without default is an error.

    ``NAME_FILE`` (a path to a file holding the value, as Docker and systemd secrets provide)
    takes precedence over ``NAME`` so that secrets never need to sit in the environment.
    """
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={file_path!r}: cannot read ({exc})") from exc
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"{name} is required but not set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable: 1/true/yes/on or 0/false/no/off (any case)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: expected true/false")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """An integer variable, optionally bounded below."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: expected an integer") from exc
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value}: must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list variable (blank items dropped)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    """A filesystem path variable, made absolute."""
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default.resolve()
