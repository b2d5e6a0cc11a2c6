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
    @click.option("--tree", type=click.Choice(["three-tier", "two-tier"]), default="three-tier", show_default=True,
                  help="three-tier: city, departments, districts, wards (before 1 July 2025); two-tier: the merged "
                       "city and its communes (since).")
    def seed_demo_command(tree: str) -> None:
        """Load the demo agency tree and logins (safe to run again)."""
        from onestop.demo.seed import TREES, seed_demo

        logins = seed_demo(TREES[tree])
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
        from onestop.workflows.definition import CATALOGUE_DIR, DefinitionError, load_versions
        from onestop.workflows.versions import validity_text

        try:
            catalogue = load_versions(Path(directory) if directory else CATALOGUE_DIR,
                                      office_hours=OfficeHours.parse(app.config["ONESTOP_OFFICE_HOURS"]))
        except DefinitionError as exc:
            raise click.ClickException(str(exc)) from exc
        for versions in catalogue.values():
            for p in versions:
                dated = f"  {validity_text(p)}" if len(versions) > 1 else ""
                click.echo(f"ok  {p.code:<10} {len(p.steps):>2} steps  {p.budget_days:g} days  {p.name[:70]}{dated}")
        click.echo(f"{len(catalogue)} procedures valid ({sum(map(len, catalogue.values()))} versions)")

    _operations(app)
    from onestop.reorganisation.cli import init_app as reorganisation_cli

    reorganisation_cli(app)


def _operations(app: Flask) -> None:
    """``backup``, ``restore`` and ``doctor`` (``onestop/ops/``)."""
    from pathlib import Path

    @app.cli.command("backup")
    @click.argument("directory", type=click.Path(path_type=Path))
    def backup_command(directory: Path) -> None:
        """Write a consistent copy of the database and the stored files into DIRECTORY (new or empty),
        with a manifest of row counts and checksums."""
        from onestop.ops.archive import ArchiveError
        from onestop.ops.backup import backup

        try:
            manifest = backup(app, directory, progress=click.echo)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"backup written to {directory}: {sum(manifest.tables.values())} rows in {len(manifest.tables)} "
                   f"tables, {len(manifest.files)} files")

    @app.cli.command("restore")
    @click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def restore_command(directory: Path) -> None:
        """Restore the backup in DIRECTORY into this instance's empty database and attachments folder,
        then check them against the backup's manifest."""
        from onestop.ops.archive import ArchiveError
        from onestop.ops.restore import restore

        try:
            manifest = restore(app, directory, progress=click.echo)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
        for problem in manifest.problems:
            click.echo(f"warning: the backup was made without {problem}")
        click.echo(f"restored and checked: {sum(manifest.tables.values())} rows in {len(manifest.tables)} tables, "
                   f"{len(manifest.files)} files, as in the manifest of {manifest.created_at}")

    @app.cli.command("doctor")
    def doctor_command() -> None:
        """Check the configuration before starting, and say what to fix."""
        from onestop.ops import doctor

        status = doctor.report(doctor.diagnose(app.config), echo=click.echo)
        if status:
            raise SystemExit(status)
