"""The demo SMS sender: keeps each message in the database for an operator to read."""

from __future__ import annotations

from dancu.identity.models import SmsMessage


class OutboxSender:
    def send(self, to: str, body: str) -> None:
        SmsMessage.objects.create(to=to, body=body)
