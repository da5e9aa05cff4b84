"""Sending text messages: one plugin per SMS gateway, chosen by ``DANCU_SMS_BACKEND``.

- ``outbox`` (default): messages are kept in the database and shown to operators on the demo
  outbox page (``/quan-tri-dinh-danh/hop-thu-sms/``); nothing leaves the machine.
- ``http``: a JSON POST to an SMS gateway (``DANCU_SMS_HTTP_URL``, bearer token in
  ``DANCU_SMS_HTTP_TOKEN`` or ``DANCU_SMS_HTTP_TOKEN_FILE``).

A new gateway is a module here with a class implementing :class:`SmsSender`, added to
``_BACKENDS``.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from dancu.core.config import ConfigError, env_str

__all__ = ["SmsSender", "get_sender"]


class SmsSender(Protocol):
    """Deliver ``body`` to the phone number ``to`` (Vietnamese national format, e.g. 0912345678)."""

    def send(self, to: str, body: str) -> None: ...


_BACKENDS = {
    "outbox": "dancu.identity.sms.outbox:OutboxSender",
    "http": "dancu.identity.sms.http_gateway:HttpGatewaySender",
}


def get_sender() -> SmsSender:
    """The sender configured by ``DANCU_SMS_BACKEND``."""
    name = env_str("DANCU_SMS_BACKEND", "outbox")
    target = _BACKENDS.get(name)
    if target is None:
        raise ConfigError(f"DANCU_SMS_BACKEND={name!r}: expected one of {sorted(_BACKENDS)}")
    module_name, class_name = target.split(":")
    sender: SmsSender = getattr(importlib.import_module(module_name), class_name)()
    return sender
