"""The ``dancu`` command: one entry point for operators (DESIGN.md §4).

Each app contributes its own command group (``<app>/cli.py``, a Typer app); this module sets up
Django and mounts them. ``dancu manage ...`` passes through to Django's management commands.
"""

from __future__ import annotations

import os
import sys

import typer


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dancu.settings")
    import django

    django.setup()


def build_app() -> typer.Typer:
    """The root command with every app's group mounted."""
    from dancu.core.cli import audit_app
    from dancu.registry.cli import registry_app
    from dancu.server import register_platform_commands

    app = typer.Typer(
        name="dancu",
        help="Dancu — dữ liệu dân cư, định danh và xác thực điện tử / population data, e-ID and data exchange.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    register_platform_commands(app)
    app.add_typer(registry_app, name="registry")
    app.add_typer(audit_app, name="audit")
    for module_name, attr, group in (
        ("dancu.identity.cli", "client_app", "client"),
        ("dancu.identity.cli", "account_app", "account"),
        ("dancu.exchange.cli", "exchange_app", "exchange"),
    ):
        sub = _optional(module_name, attr)
        if sub is not None:
            app.add_typer(sub, name=group)
    link = _optional("dancu.linkage.cli", "link_command")
    if link is not None:
        app.command("link")(link)
    link_stats = _optional("dancu.linkage.cli", "link_stats_command")
    if link_stats is not None:
        app.command("link-stats")(link_stats)
    return app


def _optional(module_name: str, attr: str) -> typer.Typer | None:
    """An app's command group, when that app provides one."""
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    value = getattr(module, attr, None)
    return value


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "manage":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dancu.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["dancu manage", *sys.argv[2:]])
        return
    _setup_django()
    build_app()()


if __name__ == "__main__":
    main()
