"""``flask --app onestop reorganise PLAN.toml [--apply]``: what would move, and moving it."""
from pathlib import Path

import click
from flask import Flask

from onestop.extensions import db


def init_app(app: Flask) -> None:
    @app.cli.command("reorganise")
    @click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--apply", "apply_", is_flag=True, help="Carry the plan out (without it: a dry run, nothing kept).")
    def reorganise_command(plan_file: Path, apply_: bool) -> None:
        """Dissolve agencies into their successors and carry their open dossiers, staff, desks and
        code numbers over, as PLAN_FILE says. Refused whole if a dossier would be left without a holder."""
        from onestop.reorganisation.apply import run
        from onestop.reorganisation.plan import PlanError, read_plan

        try:
            plan = read_plan(plan_file)
            outcome = run(plan, apply=apply_)
        except PlanError as exc:
            db.session.rollback()
            raise click.ClickException(f"plan refused, nothing changed: {exc}") from exc
        if apply_:
            db.session.commit()
        for line in report(outcome):
            click.echo(line)
        click.echo(f"{'applied' if apply_ else 'dry run, nothing changed'}: {outcome.dossiers} open dossiers move "
                   f"on {plan.day:%Y-%m-%d}")


def report(outcome) -> list[str]:
    """What moves, by agency and by state."""
    lines = ["Open dossiers held (from → to, state: count):"]
    lines += [f"  {old:<12} → {new:<16} {status:<11} {n}" for (old, new, status), n in sorted(outcome.held.items())]
    lines.append("Open dossiers whose desk of return moves (from → to: count):")
    lines += [f"  {old:<12} → {new:<16} {n}" for (old, new), n in sorted(outcome.desks.items())]
    lines.append(f"Online applications waiting at a desk that moves: {outcome.online}")
    lines.append("Open dossiers going on under the version in force (procedure: from → to: count):")
    lines += [f"  {code:<12} v{old} → v{new}  {n}" for (code, old, new), n in sorted(outcome.versions.items())]
    lines.append("Staff moved (from: count):")
    lines += [f"  {old:<12} {n}" for old, n in sorted(outcome.staff.items())]
    return lines
