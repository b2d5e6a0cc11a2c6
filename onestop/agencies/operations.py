"""Building the agency tree."""
from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.extensions import db


class AgencyError(ValueError):
    pass


def create_agency(*, code: str, name: str, level: str, parent: Agency | None = None,
                  sectors: str = "", has_desk: bool = False) -> Agency:
    known = structure()
    if level not in known.levels:
        raise AgencyError(f"unknown level {level!r}; known: {', '.join(known.levels)}")
    unknown = {s for s in sectors.split(",") if s} - known.sectors
    if unknown:
        raise AgencyError(f"unknown sectors {sorted(unknown)}")
    agency = Agency(code=code, name=name, level=level, parent=parent, sectors=sectors,
                    has_desk=has_desk)
    db.session.add(agency)
    db.session.flush()
    agency.path = (parent.path if parent else "/") + f"{agency.id}/"
    db.session.flush()
    return agency
