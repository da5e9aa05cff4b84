"""Drop the register's indexes that no query needs (issue #2: a bulk import builds every index).

- The foreign-key indexes of residences, former ID numbers, life events and person/household
  changes repeat the leading column of a composite index on the same table
  (``residence_person_kind``, ``former_id_unique``, ``lifeevent_person_on``, ``change_person_at``,
  ``change_household_at``), which serves the same look-ups and the ``ON DELETE`` checks.
- A person's father, mother and spouse are indexed only where set: nothing reads persons by
  them but the ``ON DELETE SET NULL`` of a removed parent or spouse (``WHERE father_id = …``
  implies ``IS NOT NULL``, so both databases use the partial index), and most rows are NULL.
- ``db_index=True`` on a ``CharField`` also gives PostgreSQL a ``varchar_pattern_ops`` twin for
  ``LIKE 'x%'``; no query of these columns uses ``LIKE``, so they become plain indexes.

The database work is plain ``DROP INDEX`` / ``CREATE INDEX``: Django's ``AlterField`` would
copy each table on SQLite (three times for persons) and re-check the foreign keys on PostgreSQL.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# (model, field): Django's own index on the field (and, on PostgreSQL, its pattern-ops twin for
# character columns), dropped here.
DROPPED = (
    ("formeridnumber", "number"),
    ("formeridnumber", "person"),
    ("household", "commune_code"),
    ("householdchange", "household"),
    ("identitycard", "number"),
    ("importbatch", "sha256"),
    ("lifeevent", "person"),
    ("person", "father"),
    ("person", "mother"),
    ("person", "spouse"),
    ("personchange", "person"),
    ("residence", "person"),
)

ADDED = (
    ("formeridnumber", models.Index(fields=["number"], name="former_id_number")),
    ("household", models.Index(fields=["commune_code"], name="household_commune")),
    ("identitycard", models.Index(fields=["number"], name="card_number")),
    ("importbatch", models.Index(fields=["sha256"], name="importbatch_sha256")),
    ("person", models.Index(fields=["father"], name="person_father", condition=models.Q(father__isnull=False))),
    ("person", models.Index(fields=["mother"], name="person_mother", condition=models.Q(mother__isnull=False))),
    ("person", models.Index(fields=["spouse"], name="person_spouse", condition=models.Q(spouse__isnull=False))),
)


def _drop_old(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    quote = schema_editor.quote_name
    for model_name, field_name in DROPPED:
        model = apps.get_model("registry", model_name)
        column = model._meta.get_field(field_name).column
        for suffix in ("", "_like"):
            name = schema_editor._create_index_name(model._meta.db_table, [column], suffix=suffix)
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    for model_name, index in ADDED:
        schema_editor.add_index(apps.get_model("registry", model_name), index)


def _restore_old(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for model_name, index in ADDED:
        schema_editor.remove_index(apps.get_model("registry", model_name), index)
    for model_name, field_name in DROPPED:
        model = apps.get_model("registry", model_name)
        field = model._meta.get_field(field_name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        like = getattr(schema_editor, "_create_like_index_sql", None)
        statement = like(model, field) if like is not None else None
        if statement is not None:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_public_ids"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_drop_old, _restore_old)],
            state_operations=[
                migrations.AlterField(
                    model_name="formeridnumber",
                    name="number",
                    field=models.CharField(max_length=12),
                ),
                migrations.AlterField(
                    model_name="formeridnumber",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="former_ids",
                        to="registry.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="household",
                    name="commune_code",
                    field=models.CharField(max_length=10),
                ),
                migrations.AlterField(
                    model_name="householdchange",
                    name="household",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="registry.household",
                    ),
                ),
                migrations.AlterField(
                    model_name="identitycard",
                    name="number",
                    field=models.CharField(max_length=12),
                ),
                migrations.AlterField(
                    model_name="importbatch",
                    name="sha256",
                    field=models.CharField(max_length=64),
                ),
                migrations.AlterField(
                    model_name="lifeevent",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="life_events",
                        to="registry.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="father",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="mother",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="spouse",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="personchange",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="registry.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="residence",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="residences",
                        to="registry.person",
                    ),
                ),
                migrations.AddIndex(
                    model_name="formeridnumber",
                    index=models.Index(fields=["number"], name="former_id_number"),
                ),
                migrations.AddIndex(
                    model_name="household",
                    index=models.Index(fields=["commune_code"], name="household_commune"),
                ),
                migrations.AddIndex(
                    model_name="identitycard",
                    index=models.Index(fields=["number"], name="card_number"),
                ),
                migrations.AddIndex(
                    model_name="importbatch",
                    index=models.Index(fields=["sha256"], name="importbatch_sha256"),
                ),
                migrations.AddIndex(
                    model_name="person",
                    index=models.Index(
                        condition=models.Q(("father__isnull", False)), fields=["father"], name="person_father"
                    ),
                ),
                migrations.AddIndex(
                    model_name="person",
                    index=models.Index(
                        condition=models.Q(("mother__isnull", False)), fields=["mother"], name="person_mother"
                    ),
                ),
                migrations.AddIndex(
                    model_name="person",
                    index=models.Index(
                        condition=models.Q(("spouse__isnull", False)), fields=["spouse"], name="person_spouse"
                    ),
                ),
            ],
        ),
    ]
