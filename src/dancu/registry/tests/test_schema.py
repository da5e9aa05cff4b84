"""The register's indexes: every foreign key is served by an index that leads with it, and no
index repeats the leading columns of another (each one is written by every bulk import)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, dict[str, dict[str, Any]]]:
    """Table -> index name -> introspected index, for the register's tables."""
    tables = [model._meta.db_table for model in apps.get_app_config("registry").get_models()]
    with connection.cursor() as cursor:
        return {
            table: {
                name: info
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["index"] or info["unique"] or info["primary_key"]
                # PostgreSQL's pattern-ops twins of unique character columns serve LIKE only.
                if not name.endswith("_like")
            }
            for table in tables
        }


def test_every_foreign_key_leads_an_index() -> None:
    missing = []
    for model in apps.get_app_config("registry").get_models():
        leading = {tuple(info["columns"][:1]) for info in _indexes()[model._meta.db_table].values()}
        for field in model._meta.concrete_fields:
            # created_by_import has no constraint and, by design, no index (see the model).
            if field.is_relation and field.db_constraint and (field.column,) not in leading:
                missing.append(f"{model._meta.db_table}.{field.column}")
    assert missing == []


def test_no_index_repeats_the_leading_columns_of_another() -> None:
    repeated = []
    for table, indexes in _indexes().items():
        for name, info in indexes.items():
            if info["unique"] or info["primary_key"]:
                continue  # a constraint, not only a way in
            columns = info["columns"]
            for other, other_info in indexes.items():
                if other != name and other_info["columns"][: len(columns)] == columns:
                    repeated.append(f"{table}.{name} ({', '.join(columns)}) repeats {other}")
    assert repeated == []
