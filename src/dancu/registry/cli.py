"""``dancu registry``: import and statistics."""

from __future__ import annotations

import json

import typer

registry_app = typer.Typer(help="Cơ sở dữ liệu dân cư / the population register.", no_args_is_help=True)


@registry_app.command("stats")
def stats() -> None:
    """Print the register's counts as JSON."""
    from dancu.registry.models import Household, Person

    typer.echo(json.dumps({"persons": Person.objects.count(), "households": Household.objects.count()}))
