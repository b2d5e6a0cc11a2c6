"""The command line: ``onestop …`` (the console script, :data:`main`) or ``flask --app onestop …``.

Both are the Flask CLI of the application: ``db upgrade`` (Flask-Migrate), ``run``, ``shell`` and
the commands of :func:`init_app`.
"""
import click
from flask import Flask
from flask.cli import FlaskGroup

from onestop.extensions import db


def _create_app() -> Flask:
    from onestop import create_app

    return create_app()


#: the ``onestop`` console script (pyproject.toml ``[project.scripts]``)
main = FlaskGroup(create_app=_create_app, help="onestop: the one-stop case-handling system.")


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo agency tree and logins (safe to run again)."""
        from onestop.demo.seed import seed_demo

        logins = seed_demo()
        db.session.commit()
        click.echo("Demo logins (username / password):")
        for username, password, who in logins:
            click.echo(f"  {username:<22} {password:<10} {who}")

    @app.cli.command("check-procedures")
    @click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
    def check_procedures(directory: str | None) -> None:
        """Validate the procedure catalogue (or DIRECTORY) and report each procedure."""
        from pathlib import Path

        from onestop.core.calendar import OfficeHours
        from onestop.workflows.definition import CATALOGUE_DIR, DefinitionError, load_catalogue

        try:
            catalogue = load_catalogue(Path(directory) if directory else CATALOGUE_DIR,
                                       office_hours=OfficeHours.parse(app.config["ONESTOP_OFFICE_HOURS"]))
        except DefinitionError as exc:
            raise click.ClickException(str(exc)) from exc
        for p in catalogue.values():
            click.echo(f"ok  {p.code:<10} {len(p.steps):>2} steps  {p.budget_days:g} days  {p.name[:70]}")
        click.echo(f"{len(catalogue)} procedures valid")
