"""``dancu exchange``: onboarding, grants, purposes and webhook deliveries from the shell."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer

exchange_app = typer.Typer(help="Nền tảng trao đổi dữ liệu / the data-exchange gateway.", no_args_is_help=True)


def _actor() -> Any:
    from dancu.core.audit import Actor
    from dancu.core.models import ActorKind

    return Actor(kind=ActorKind.SYSTEM, id=f"cli:{getpass.getuser()}")


def _echo(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _parse_access(spec: str) -> dict[str, Any]:
    """``service:purpose:field,field[:consent]``."""
    parts = spec.split(":")
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] != "consent"):
        raise typer.BadParameter(f"{spec!r}: expected service:purpose:field,field[:consent]")
    return {
        "service": parts[0],
        "purpose": parts[1],
        "fields": [f for f in parts[2].split(",") if f],
        "requires_consent": len(parts) == 4,
    }


def _fail(exc: Exception) -> None:
    typer.echo(str(getattr(exc, "detail", exc)), err=True)
    raise typer.Exit(1)


@exchange_app.command("request")
def request_onboarding(
    member_class: Annotated[str, typer.Option(help="GOV, COM or ORG")],
    member_code: Annotated[str, typer.Option()],
    member_name: Annotated[str, typer.Option()],
    system_code: Annotated[str, typer.Option()],
    system_name: Annotated[str, typer.Option()],
    jwks: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Public JWK set (JSON) for private_key_jwt")],
    contact: Annotated[str, typer.Option(help="Contact e-mail")],
    access: Annotated[list[str], typer.Option(help="service:purpose:field,field[:consent] (repeatable)")],
    sector: Annotated[str, typer.Option()] = "other",
    justification: Annotated[str, typer.Option()] = "",
) -> None:
    """File a request to connect a system; an administrator approves or refuses it."""
    from dancu.exchange.actions import check_submit_onboarding
    from dancu.exchange.error_codes import ExchangeError

    try:
        request = check_submit_onboarding(
            member_class=member_class,
            member_code=member_code,
            member_name=member_name,
            sector=sector,
            system_code=system_code,
            system_name=system_name,
            jwks=json.loads(jwks.read_text(encoding="utf-8")),
            contact_email=contact,
            requested_access=[_parse_access(a) for a in access],
            justification=justification,
            actor=_actor(),
        )
    except ExchangeError as exc:
        _fail(exc)
    _echo({"request_id": request.pk, "status": request.status})


@exchange_app.command("requests")
def list_requests(status: str = typer.Option("", help="pending, approved or refused")) -> None:
    """List onboarding requests."""
    from dancu.exchange.queries import onboarding_requests

    _echo(
        [
            {
                "id": r.pk,
                "member": f"{r.member_class}/{r.member_code}",
                "system": r.system_code,
                "status": r.status,
                "submitted_at": r.submitted_at,
                "reason": r.decision_reason,
            }
            for r in onboarding_requests(status or None)
        ]
    )


@exchange_app.command("approve")
def approve(request_id: int, note: str = typer.Option("")) -> None:
    """Approve a request: register the OAuth client, the system and its grants."""
    from dancu.exchange.actions import do_approve_onboarding
    from dancu.exchange.error_codes import ExchangeError

    try:
        system = do_approve_onboarding(request_id, actor=_actor(), note=note)
    except ExchangeError as exc:
        _fail(exc)
    _echo({"client_id": system.client_id, "x_road_client": system.xroad_id})


@exchange_app.command("refuse")
def refuse(request_id: int, reason: str = typer.Option(..., help="Written reason (required)")) -> None:
    """Refuse a request with a written reason."""
    from dancu.exchange.actions import do_refuse_onboarding
    from dancu.exchange.error_codes import ExchangeError

    try:
        request = do_refuse_onboarding(request_id, actor=_actor(), reason=reason)
    except ExchangeError as exc:
        _fail(exc)
    _echo({"request_id": request.pk, "status": request.status})


@exchange_app.command("grant")
def grant(
    client_id: str = typer.Option(..., help="The system's OAuth client id"),
    access: str = typer.Option(..., help="service:purpose:field,field[:consent]"),
    until: str = typer.Option("", help="Expiry, YYYY-MM-DD (local time, end of day)"),
) -> None:
    """Grant (or replace) one access of a system."""
    from django.utils import timezone

    from dancu.exchange.actions import do_grant_access
    from dancu.exchange.error_codes import ExchangeError
    from dancu.exchange.models import MemberSystem

    system = MemberSystem.objects.select_related("member").filter(client_id=client_id).first()
    if system is None:
        _fail(ValueError(f"Không có hệ thống / no system with client_id {client_id}"))
        return
    spec = _parse_access(access)
    valid_until = None
    if until:
        valid_until = timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(until), dt.time.max))
    try:
        created = do_grant_access(
            system,
            service=spec["service"],
            purpose_code=spec["purpose"],
            fields=spec["fields"],
            requires_consent=spec["requires_consent"],
            valid_until=valid_until,
            actor=_actor(),
        )
    except ExchangeError as exc:
        _fail(exc)
        return
    _echo({"grant_id": created.pk})


@exchange_app.command("revoke")
def revoke(grant_id: int, reason: str = typer.Option(...)) -> None:
    """Revoke a grant; the system's next call under it is refused."""
    from dancu.exchange.actions import do_revoke_access

    revoked = do_revoke_access(grant_id, actor=_actor(), reason=reason)
    _echo({"grant_id": revoked.pk, "revoked_at": revoked.revoked_at})


@exchange_app.command("grants")
def list_grants(client_id: str = typer.Option("", help="Only this system")) -> None:
    """List active grants."""
    from dancu.exchange.models import AccessGrant

    grants = AccessGrant.objects.filter(revoked_at__isnull=True).select_related("system__member", "purpose")
    if client_id:
        grants = grants.filter(system__client_id=client_id)
    _echo(
        [
            {
                "id": g.pk,
                "client": g.system.xroad_id,
                "service": g.service,
                "purpose": g.purpose.code,
                "fields": g.fields,
                "requires_consent": g.requires_consent,
                "valid_until": g.valid_until,
            }
            for g in grants.order_by("pk")
        ]
    )


@exchange_app.command("purposes")
def list_purposes() -> None:
    """The purpose catalogue."""
    from dancu.exchange.models import Purpose

    _echo(
        [
            {"code": p.code, "title": p.title, "lawful_basis": p.lawful_basis, "legal_reference": p.legal_reference}
            for p in Purpose.objects.filter(active=True).order_by("code")
        ]
    )


@exchange_app.command("deliver")
def deliver() -> None:
    """Attempt every webhook delivery that is due (a safety net beside the scheduled retries)."""
    from dancu.exchange.tasks import deliver_due

    _echo({"delivered": deliver_due()})


@exchange_app.command("limits")
def set_limits(
    client_id: Annotated[str, typer.Option(help="The system's OAuth client id")],
    per_minute: Annotated[int, typer.Option(min=1)],
    per_day: Annotated[int, typer.Option(min=1)],
) -> None:
    """Set a system's rate limit (calls per minute) and quota (calls per day)."""
    from dancu.exchange.actions import do_set_limits
    from dancu.exchange.models import MemberSystem

    system = MemberSystem.objects.select_related("member").filter(client_id=client_id).first()
    if system is None:
        _fail(ValueError(f"Không có hệ thống / no system with client_id {client_id}"))
        return
    do_set_limits(system, rate_per_minute=per_minute, quota_per_day=per_day, actor=_actor())
    _echo({"client_id": client_id, "rate_per_minute": per_minute, "quota_per_day": per_day})


@exchange_app.command("token")
def token(
    client_id: Annotated[str, typer.Option(help="The system's client id")],
    key: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="The system's EC private key (PEM)")],
    base_url: Annotated[str, typer.Option(help="Dancu's address (default: DANCU_BASE_URL)")] = "",
) -> None:
    """Get an access token for a system (client credentials, ``private_key_jwt``) and print it."""
    import httpx
    from django.conf import settings

    from dancu.exchange.demo import client_assertion, load_key
    from dancu.identity.oidc.server import ENDPOINT_PATHS

    base = (base_url or settings.DANCU_BASE_URL).rstrip("/")
    audience = base + ENDPOINT_PATHS["token_endpoint"]
    try:
        response = httpx.post(
            audience,
            data={
                "grant_type": "client_credentials",
                "scope": "exchange",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": client_assertion(client_id, load_key(key), audience),
            },
            timeout=30,
        )
    except httpx.HTTPError as exc:
        _fail(exc)
        return
    if response.status_code != 200:
        _fail(RuntimeError(f"{audience}: {response.status_code} {response.text[:500]}"))
    typer.echo(response.json()["access_token"])
