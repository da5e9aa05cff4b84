"""Webhook signing secrets encrypted at rest (DANCU_WEBHOOK_SECRET_KEY): the column is renamed
to say what it holds, widened for the Fernet token, and the secrets already stored are
encrypted in place (and decrypted again when the migration is reversed)."""

from typing import Any

from django.db import migrations, models


def encrypt_existing(apps: Any, schema_editor: Any) -> None:
    from dancu.exchange.webhook_secrets import encrypt_secret, is_encrypted

    Subscription = apps.get_model("exchange", "Subscription")
    for subscription in Subscription.objects.using(schema_editor.connection.alias).only("pk", "secret_encrypted"):
        if not is_encrypted(subscription.secret_encrypted):
            subscription.secret_encrypted = encrypt_secret(subscription.secret_encrypted)
            subscription.save(update_fields=["secret_encrypted"])


def decrypt_existing(apps: Any, schema_editor: Any) -> None:
    from dancu.exchange.webhook_secrets import decrypt_secret, is_encrypted

    Subscription = apps.get_model("exchange", "Subscription")
    for subscription in Subscription.objects.using(schema_editor.connection.alias).only("pk", "secret_encrypted"):
        if is_encrypted(subscription.secret_encrypted):
            subscription.secret_encrypted = decrypt_secret(
                subscription.secret_encrypted, subscription_id=subscription.pk
            )
            subscription.save(update_fields=["secret_encrypted"])


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_purpose_catalogue")]

    operations = [
        migrations.RenameField("subscription", "secret", "secret_encrypted"),
        migrations.AlterField("subscription", "secret_encrypted", models.CharField(max_length=255)),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
