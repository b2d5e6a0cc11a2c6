"""Versions of a procedure: one definition in force until a date, another from it.

A procedure file may say ``version`` (a whole number, 1 when absent), ``in_force_from`` and
``in_force_until`` (TOML dates, both days included; absent: open on that side). Several files may
then share a code, one per version: the district-era steps of a procedure until 30 June 2025 and
its commune or province steps from 1 July 2025. A dossier is received under the version in force
on the day it is received and keeps it until it ends (``Dossier.procedure_version``), so a
reorganised tree and a new definition never change the steps of a dossier already running.

The checks here refuse two versions with the same number, versions whose dates overlap, and a
later version that starts before an earlier one.
"""
from collections.abc import Iterable
from datetime import date

from onestop.workflows.errors import DefinitionError

VERSION_FIELDS = ("version", "in_force_from", "in_force_until")


def parse_validity(data: dict, source: str) -> dict:
    """The version number and the dates in force of one file, checked on their own."""
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DefinitionError(source, "version", f"must be a whole number from 1, got {version!r}")
    found = {}
    for name in ("in_force_from", "in_force_until"):
        value = data.get(name)
        if value is not None and (not isinstance(value, date) or hasattr(value, "hour")):
            raise DefinitionError(source, name, f"must be a date written YYYY-MM-DD (no quotes), got {value!r}")
        found[name] = value
    if found["in_force_from"] and found["in_force_until"] and found["in_force_from"] > found["in_force_until"]:
        raise DefinitionError(source, "in_force_until", f"{found['in_force_until']} is before in_force_from "
                                                        f"{found['in_force_from']}")
    return {"version": version, **found}


def check_versions(versions: list) -> list:
    """The versions of one code (``Procedure`` objects) in order; refuses duplicates and overlaps."""
    ordered = sorted(versions, key=lambda p: p.version)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.version == later.version:
            raise DefinitionError(later.source, "version", f"version {later.version} of {later.code!r} is also "
                                                           f"in {earlier.source}")
        if earlier.in_force_until is None or later.in_force_from is None:
            raise DefinitionError(later.source, "in_force_from" if later.in_force_from is None else "in_force_until",
                                  f"versions {earlier.version} ({earlier.source}) and {later.version} of "
                                  f"{later.code!r} overlap: the earlier needs in_force_until and the later "
                                  "in_force_from")
        if later.in_force_from <= earlier.in_force_until:
            raise DefinitionError(later.source, "in_force_from",
                                  f"{later.in_force_from} overlaps version {earlier.version} ({earlier.source}), "
                                  f"in force until {earlier.in_force_until}")
    return ordered


def in_force(versions: Iterable, day: date):
    """The version in force on ``day`` (a local date), or None."""
    return next((p for p in versions if (p.in_force_from is None or p.in_force_from <= day)
                 and (p.in_force_until is None or day <= p.in_force_until)), None)


def validity_text(procedure) -> str:
    """``from … until …`` in ISO dates, for the command line."""
    start = procedure.in_force_from.isoformat() if procedure.in_force_from else "…"
    end = procedure.in_force_until.isoformat() if procedure.in_force_until else "…"
    return f"v{procedure.version} {start} – {end}"
