"""Give every account a random public id, the only id of an account in page URLs (ADR 9).

As ``registry.0002_public_ids`` does for persons and households, and for the same reasons, the
database draws the ids of existing rows itself in one statement: ``AddField`` with
``default=uuid.uuid4`` would give every existing account the *same* value. PostgreSQL adds the
column with ``gen_random_uuid()`` as a volatile default (then drops the default); SQLite adds it
and fills it from ``randomblob``. The values are version-4 UUIDs, as ``uuid.uuid4`` makes them.
The SQL is copied rather than imported so that this migration never changes.
"""

from __future__ import annotations

import uuid

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "identity_user"

# 32 hex digits with the version (4) and variant (8, 9, a or b) nibbles of a UUID4, as Django
# stores a UUIDField in SQLite (char(32), no hyphens).
_SQLITE_UUID4 = (
    "lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) || substr('89ab', 1 + (random() & 3), 1)"
    " || substr(hex(randomblob(2)), 2) || hex(randomblob(6)))"
)


def add_public_ids(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    table = schema_editor.quote_name(TABLE)
    unique = schema_editor.quote_name(schema_editor._create_index_name(TABLE, ["public_id"], suffix="_uniq"))
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid()")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN public_id DROP DEFAULT")
        schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {unique} UNIQUE (public_id)")
    elif vendor == "sqlite":
        # SQLite adds a NOT NULL column only with a constant default; every row then gets its own
        # value at once, and the unique index refuses any row left without one.
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN public_id char(32) NOT NULL DEFAULT ''")
        schema_editor.execute(f"UPDATE {table} SET public_id = {_SQLITE_UUID4}")  # noqa: S608 — our SQL
        schema_editor.execute(f"CREATE UNIQUE INDEX {unique} ON {table} (public_id)")
    else:  # pragma: no cover — Dancu runs on SQLite and PostgreSQL only (ADR 1)
        message = f"Cơ sở dữ liệu không được hỗ trợ / unsupported database: {vendor}"
        raise RuntimeError(message)


def drop_public_ids(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    table = schema_editor.quote_name(TABLE)
    if schema_editor.connection.vendor == "sqlite":
        # SQLite drops a column only once no index uses it.
        unique = schema_editor._create_index_name(TABLE, ["public_id"], suffix="_uniq")
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(unique)}")
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN public_id")


class Migration(migrations.Migration):
    dependencies = [("identity", "0004_translated_choices")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_public_ids, drop_public_ids)],
            state_operations=[
                migrations.AddField(
                    model_name="user",
                    name="public_id",
                    field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                ),
            ],
        )
    ]
