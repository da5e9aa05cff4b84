"""Give every person and household a random public id, the only id in page URLs (ADR 9).

``AddField`` with ``default=uuid.uuid4`` would give every existing row the *same* value (the
default is evaluated once) and, on SQLite, copy the whole table. Instead the database draws the
ids itself, in one statement per table: PostgreSQL rewrites the table once with
``gen_random_uuid()`` as a volatile default (then drops the default), SQLite adds the column and
fills it from ``randomblob``. The values are version-4 UUIDs, as ``uuid.uuid4`` makes them.
"""

from __future__ import annotations

import uuid

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("registry_household", "registry_person")

# 32 hex digits with the version (4) and variant (8, 9, a or b) nibbles of a UUID4, as Django
# stores a UUIDField in SQLite (char(32), no hyphens).
_SQLITE_UUID4 = (
    "lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) || substr('89ab', 1 + (random() & 3), 1)"
    " || substr(hex(randomblob(2)), 2) || hex(randomblob(6)))"
)


def add_public_ids(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    for table in TABLES:
        unique = schema_editor._create_index_name(table, ["public_id"], suffix="_uniq")
        if vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid()"
            )
            schema_editor.execute(f"ALTER TABLE {quote(table)} ALTER COLUMN public_id DROP DEFAULT")
            schema_editor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(unique)} UNIQUE (public_id)")
        elif vendor == "sqlite":
            # SQLite adds a NOT NULL column only with a constant default; every row then gets its
            # own value at once, and the unique index refuses any row left without one.
            schema_editor.execute(f"ALTER TABLE {quote(table)} ADD COLUMN public_id char(32) NOT NULL DEFAULT ''")
            schema_editor.execute(f"UPDATE {quote(table)} SET public_id = {_SQLITE_UUID4}")  # noqa: S608 — our SQL
            schema_editor.execute(f"CREATE UNIQUE INDEX {quote(unique)} ON {quote(table)} (public_id)")
        else:  # pragma: no cover — Dancu runs on SQLite and PostgreSQL only (ADR 1)
            message = f"Cơ sở dữ liệu không được hỗ trợ / unsupported database: {vendor}"
            raise RuntimeError(message)


def drop_public_ids(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    quote = schema_editor.quote_name
    for table in TABLES:
        if schema_editor.connection.vendor == "sqlite":
            # SQLite drops a column only once no index uses it.
            unique = schema_editor._create_index_name(table, ["public_id"], suffix="_uniq")
            schema_editor.execute(f"DROP INDEX {quote(unique)}")
        schema_editor.execute(f"ALTER TABLE {quote(table)} DROP COLUMN public_id")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_public_ids, drop_public_ids)],
            state_operations=[
                migrations.AddField(
                    model_name="household",
                    name="public_id",
                    field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                ),
                migrations.AddField(
                    model_name="person",
                    name="public_id",
                    field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                ),
            ],
        )
    ]
