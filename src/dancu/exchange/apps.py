from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from dancu.core.models import OutboxEvent


class ExchangeConfig(AppConfig):
    name = "dancu.exchange"
    label = "exchange"
    verbose_name = "Trao đổi dữ liệu / Data exchange"

    def ready(self) -> None:
        # The register tells the gateway about changes through domain events; it never imports us.
        from dancu.core.events import subscribe
        from dancu.exchange.catalogue import CHANGE_KINDS

        for kind in CHANGE_KINDS.values():
            subscribe(kind.domain_event)(_on_register_change)


def _on_register_change(event: OutboxEvent) -> None:
    from dancu.exchange.actions import do_record_change

    do_record_change(event)
