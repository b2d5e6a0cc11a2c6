"""``flask --app onestop api …``: the other systems' rows, and API clients from the command line."""
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.api.clients import register_client
from onestop.api.models import ApiScope
from onestop.api.systems import sync_external_systems
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.extensions import db

group = AppGroup("api", help="API clients and the other systems that hold steps.")


@group.command("sync-systems")
def sync_systems() -> None:
    """Create the agency row and the account of each system in external_systems (structure.toml)."""
    created = sync_external_systems()
    db.session.commit()
    click.echo("\n".join(created) if created else "nothing to create")


@group.command("create-client")
@click.option("--name", required=True, help="the calling system's name")
@click.option("--agency", "agency_code", required=True, help="the code of its agency (its scope: that subtree)")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice([s.value for s in ApiScope]))
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 3 * 366), help="the token's life")
def create_client(name: str, agency_code: str, scopes: tuple[str, ...], days: int) -> None:
    """Register an API client and print its token (shown this once)."""
    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise click.ClickException(f"no agency with code {agency_code!r}")
    try:
        client, token = register_client(name=name, agency=agency, scopes=list(scopes),
                                        expires_at=clock.now() + timedelta(days=days), admin=None)
    except OperationError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"client {client.id} ({client.name}, {agency.code}): {token}")
