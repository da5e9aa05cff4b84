from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dancu.core.jobs import AbandonedJob
    from dancu.core.models import OutboxEvent
    from dancu.identity.models import Client


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

        # Disabling a client in identity must reach the next exchange call in every process.
        from django.db.models.signals import post_save

        from dancu.identity.models import Client

        post_save.connect(_on_client_saved, sender=Client, dispatch_uid="exchange-client-saved")

        # The worker sweeps webhook deliveries whose retry time has come (a safety net beside the
        # retries scheduled as tasks).
        from dancu.core.periodic import every
        from dancu.exchange.tasks import deliver_due

        every(30, name="exchange.deliver_due")(deliver_due)

        # A batch job whose worker died is failed by core's sweep; the job's own record follows.
        from dancu.core.jobs import on_abandoned
        from dancu.exchange.tasks import run_batch_job

        on_abandoned(run_batch_job)(_on_batch_job_abandoned)

        # Officers' accounts name their agency by its member code; identity checks it here.
        from dancu.core.organisations import provide
        from dancu.exchange.queries import member_name

        provide(member_name)


def _on_client_saved(
    sender: type, instance: Client, created: bool, update_fields: Iterable[str] | None, **_: Any
) -> None:
    if created or (update_fields is not None and "is_active" not in update_fields):
        return
    from dancu.exchange.policy import bump_policy

    bump_policy()


def _on_batch_job_abandoned(job: AbandonedJob) -> None:
    from dancu.exchange.services.batch import fail_abandoned_job

    job_id = job.args[0] if job.args else job.kwargs.get("job_id")
    if isinstance(job_id, str):
        fail_abandoned_job(job_id, worker_id=job.worker_id)


def _on_register_change(event: OutboxEvent) -> None:
    from dancu.exchange.actions import do_record_change

    do_record_change(event)
