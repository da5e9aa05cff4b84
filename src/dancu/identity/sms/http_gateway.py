"""A generic HTTP SMS gateway: ``POST {url}`` with ``{"to": ..., "message": ...}`` and a bearer token.

Most Vietnamese brandname-SMS providers accept a JSON call of this shape behind a small adapter;
a provider with another shape gets its own module next to this one.
"""

from __future__ import annotations

import httpx

from dancu.core.config import env_str


class SmsDeliveryError(RuntimeError):
    """The gateway did not accept the message."""


class HttpGatewaySender:
    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.url = env_str("DANCU_SMS_HTTP_URL")
        self.token = env_str("DANCU_SMS_HTTP_TOKEN")
        self.transport = transport

    def send(self, to: str, body: str) -> None:
        with httpx.Client(transport=self.transport, timeout=10.0) as client:
            response = client.post(
                self.url, json={"to": to, "message": body}, headers={"Authorization": f"Bearer {self.token}"}
            )
        if response.status_code >= 300:
            raise SmsDeliveryError(f"SMS gateway answered {response.status_code}")
