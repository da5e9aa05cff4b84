"""SMS senders: the demo outbox and the HTTP gateway plugin."""

from __future__ import annotations

import json

import httpx
import pytest

from dancu.core.config import ConfigError
from dancu.identity.models import SmsMessage
from dancu.identity.sms import get_sender
from dancu.identity.sms.http_gateway import HttpGatewaySender, SmsDeliveryError
from dancu.identity.sms.outbox import OutboxSender


@pytest.mark.django_db
def test_it_keeps_messages_in_the_outbox_by_default() -> None:
    sender = get_sender()
    assert isinstance(sender, OutboxSender)
    sender.send("0912345678", "Ma xac thuc: 123456")
    assert list(SmsMessage.objects.values_list("to", "body")) == [("0912345678", "Ma xac thuc: 123456")]


def test_it_posts_to_the_gateway_with_a_bearer_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANCU_SMS_BACKEND", "http")
    monkeypatch.setenv("DANCU_SMS_HTTP_URL", "https://sms.example/send")
    monkeypatch.setenv("DANCU_SMS_HTTP_TOKEN", "tok")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    assert isinstance(get_sender(), HttpGatewaySender)
    HttpGatewaySender(transport=httpx.MockTransport(handler)).send("0912345678", "hello")
    assert seen[0].headers["Authorization"] == "Bearer tok"
    assert json.loads(seen[0].content) == {"to": "0912345678", "message": "hello"}


def test_it_raises_when_the_gateway_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANCU_SMS_HTTP_URL", "https://sms.example/send")
    monkeypatch.setenv("DANCU_SMS_HTTP_TOKEN", "tok")
    sender = HttpGatewaySender(transport=httpx.MockTransport(lambda request: httpx.Response(500)))
    with pytest.raises(SmsDeliveryError):
        sender.send("0912345678", "hello")


def test_it_names_an_unknown_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANCU_SMS_BACKEND", "carrier-pigeon")
    with pytest.raises(ConfigError, match="DANCU_SMS_BACKEND"):
        get_sender()
