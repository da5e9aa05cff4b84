"""Template filters of the register's pages."""

from __future__ import annotations

import datetime as dt

from django import template

from dancu.registry.queries import commune_name

register = template.Library()


@register.filter
def with_precision(value: dt.date | None, precision: str) -> str:
    """A birth date as precise as it was recorded: 05/04/1987, 04/1987 or 1987."""
    if value is None:
        return ""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return f"{value.month:02d}/{value.year}"
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


@register.filter
def commune(code: str) -> str:
    """A commune code with its current name: "11311 Phường Hồng Bàng"."""
    name = commune_name(code)
    return f"{code} {name}".strip() if code else ""


@register.filter
def diff_rows(change: object) -> list[tuple[str, object, object]]:
    """The (value, before, after) lines of a history row, in a stable order."""
    before = getattr(change, "before", {}) or {}
    after = getattr(change, "after", {}) or {}
    keys = list(after) + [k for k in before if k not in after]
    return [(key, before.get(key, ""), after.get(key, "")) for key in keys]
