"""``dancu client`` (relying parties and agency systems) and ``dancu account`` (staff accounts,
locks, signing keys). Every command prints JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

client_app = typer.Typer(help="Ứng dụng kết nối / OIDC relying parties and agency systems.", no_args_is_help=True)
account_app = typer.Typer(help="Tài khoản và khóa ký / accounts and signing keys.", no_args_is_help=True)


def _echo(body: Any) -> None:
    typer.echo(json.dumps(body, ensure_ascii=False, indent=2, default=str))


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _operator() -> Any:
    from dancu.core.audit import Actor

    return Actor.system("dancu-cli")


@client_app.command("add")
def client_add(
    name: str = typer.Option(..., "--name", help="Tên ứng dụng / client name"),
    kind: str = typer.Option(..., "--kind", help="oidc (relying party) or exchange (agency system)"),
    redirect_uri: Annotated[
        list[str] | None, typer.Option("--redirect-uri", help="Exact redirect URI (repeatable)")
    ] = None,
    jwks: Annotated[Path | None, typer.Option("--jwks", help="Public JWK set (JSON file) for private_key_jwt")] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="Allowed scope (repeatable; default: all register scopes, or exchange)"),
    ] = None,
    post_logout_redirect_uri: Annotated[
        list[str] | None, typer.Option("--post-logout-redirect-uri", help="Repeatable")
    ] = None,
    min_level: int = typer.Option(0, "--min-level", help="Lowest e-ID level accepted (0, 1 or 2)"),
    organisation: str = typer.Option("", "--organisation", help="Member organisation code (agency systems)"),
) -> None:
    """Register a client; print its client_id (and secret, when it has one) as JSON."""
    from dancu.identity.actions import do_register_client
    from dancu.identity.errors import IdentityError

    key_set = None
    if jwks is not None:
        try:
            key_set = json.loads(jwks.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            _fail(f"--jwks {jwks}: {exc}")
    try:
        registered = do_register_client(
            name,
            kind,
            redirect_uri or [],
            key_set,
            scopes=scope or None,
            post_logout_redirect_uris=post_logout_redirect_uri or [],
            min_level=min_level,
            organisation=organisation,
            actor=_operator(),
        )
    except IdentityError as exc:
        _fail(exc.message)
        return
    _echo(registered.as_json())


@client_app.command("list")
def client_list() -> None:
    """Every registered client (no secrets)."""
    from dancu.identity.models import Client

    _echo(
        [
            {
                "client_id": c.client_id,
                "name": c.name,
                "kind": c.kind,
                "token_endpoint_auth_method": c.auth_method,
                "redirect_uris": c.redirect_uris,
                "scopes": c.allowed_scopes,
                "min_level": c.min_level,
                "active": c.is_active,
            }
            for c in Client.objects.order_by("created_at")
        ]
    )


def _client(client_id: str) -> Any:
    from dancu.identity.models import Client

    found = Client.objects.filter(client_id=client_id).first()
    if found is None:
        _fail(f"Không có ứng dụng / No such client: {client_id}")
    return found


@client_app.command("disable")
def client_disable(client_id: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Stop a client: its tokens stop working at once."""
    from dancu.identity.actions import do_disable_client

    do_disable_client(_client(client_id), actor=_operator(), reason=reason)
    _echo({"client_id": client_id, "active": False})


@client_app.command("rotate-secret")
def client_rotate_secret(client_id: str) -> None:
    """A new secret for a client_secret_basic client (the old one stops working)."""
    from dancu.identity.actions import do_rotate_client_secret
    from dancu.identity.errors import IdentityError

    try:
        secret = do_rotate_client_secret(_client(client_id), actor=_operator())
    except IdentityError as exc:
        _fail(exc.message)
        return
    _echo({"client_id": client_id, "client_secret": secret})


@account_app.command("create-officer")
def create_officer(
    username: str = typer.Option(..., "--username"),
    name: str = typer.Option(..., "--name"),
    role: str = typer.Option(
        ..., "--role", help="civil_status, police_registration, social_insurance, department_admin, leader, auditor"
    ),
    commune: Annotated[list[str] | None, typer.Option("--commune", help="Current commune code (repeatable)")] = None,
    province_wide: bool = typer.Option(False, "--province-wide"),
    organisation: str = typer.Option(
        "", "--organisation", help="Member organisation code of the officer's agency (e.g. BHXH-HP)"
    ),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True),
) -> None:
    """Create an officer; print the TOTP secret to hand over (shown once)."""
    from dancu.identity.actions import do_create_officer
    from dancu.identity.actions.factors import provisioning_uri
    from dancu.identity.errors import IdentityError

    try:
        user, device = do_create_officer(
            username,
            display_name=name,
            role=role,
            password=password,
            communes=commune or [],
            province_wide=province_wide,
            organisation=organisation,
            actor=_operator(),
        )
    except IdentityError as exc:
        _fail(exc.message)
        return
    _echo(
        {
            "username": user.username,
            "role": role,
            "organisation": user.organisation,
            "totp_secret": device.secret,
            "totp_uri": provisioning_uri(user, device.secret),
        }
    )


@account_app.command("create-admin")
def create_admin(
    username: str = typer.Option(..., "--username"),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True),
) -> None:
    """Create an administrator; print the TOTP secret to hand over (shown once)."""
    from dancu.identity.actions import do_create_admin
    from dancu.identity.errors import IdentityError

    try:
        user, device = do_create_admin(username, password=password, actor=_operator())
    except IdentityError as exc:
        _fail(exc.message)
        return
    _echo({"username": user.username, "totp_secret": device.secret})


@account_app.command("set-organisation")
def set_organisation(
    username: str,
    code: Annotated[str, typer.Argument(help="Member organisation code of the officer's agency (e.g. BHXH-HP)")],
) -> None:
    """Set the agency an officer works for (a member organisation of the exchange)."""
    from dancu.identity.actions import check_set_officer_organisation
    from dancu.identity.errors import IdentityError
    from dancu.identity.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        _fail(f"Không có tài khoản / No such account: {username}")
        return
    previous = user.organisation
    try:
        changed = check_set_officer_organisation(user, code, actor=_operator())
    except IdentityError as exc:
        _fail(exc.message)
        return
    _echo({"username": username, "organisation": user.organisation, "previous": previous, "changed": changed})


@account_app.command("lock")
def lock(username: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Lock an account by authority (sessions end, tokens stop working)."""
    from dancu.identity.actions import do_lock_account
    from dancu.identity.models import LockReason, User

    user = User.objects.filter(username=username).first()
    if user is None:
        _fail(f"Không có tài khoản / No such account: {username}")
        return
    do_lock_account(user, reason=LockReason.AUTHORITY, actor=_operator(), note=reason)
    _echo({"username": username, "locked": True})


@account_app.command("unlock")
def unlock(username: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Unlock an account (never one locked because its holder died)."""
    from dancu.identity.actions import do_unlock_account
    from dancu.identity.models import LockReason, User

    user = User.objects.filter(username=username).first()
    if user is None:
        _fail(f"Không có tài khoản / No such account: {username}")
        return
    if user.lock_reason == LockReason.DEATH:
        _fail("Công dân đã mất / The citizen has died")
    do_unlock_account(user, actor=_operator(), note=reason)
    _echo({"username": username, "locked": False})


@account_app.command("keys")
def list_keys() -> None:
    """The provider's signing keys and their states."""
    from dancu.identity import keys

    _echo(keys.list_keys())


@account_app.command("rotate-keys")
def rotate_keys(
    activate_in: float = typer.Option(
        0.0, "--activate-in", help="Seconds before the new key starts signing (publish first, sign later)"
    ),
) -> None:
    """Create a new signing key; the old one keeps verifying until its tokens have expired."""
    from dancu.core import audit
    from dancu.identity import keys

    kid = keys.rotate(activate_in=activate_in)
    audit.record(action="identity.keys_rotated", actor=_operator(), object_type="signing_key", object_id=kid)
    _echo({"new_kid": kid, "keys": keys.list_keys()})


@account_app.command("upstream-jwks")
def upstream_jwks() -> None:
    """The public JWK set to register at the upstream provider when this deployment
    authenticates to it with private_key_jwt (DANCU_UPSTREAM_PRIVATE_KEY_FILE)."""
    from joserfc.jwk import RSAKey

    from dancu.identity.federation.config import upstream_config

    config = upstream_config()
    if config is None or not config.private_key_pem:
        _fail("Chưa cấu hình DANCU_UPSTREAM_PRIVATE_KEY_FILE / DANCU_UPSTREAM_PRIVATE_KEY_FILE is not set")
        return
    key = RSAKey.import_key(config.private_key_pem)
    public = key.as_dict(private=False) | {"kid": key.thumbprint(), "use": "sig", "alg": "RS256"}
    _echo({"keys": [public]})
