"""Agency levels and sectors, and the other systems that may hold a step, read from
``structure.toml`` (data, not code)."""
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

STRUCTURE_FILE = Path(__file__).with_name("structure.toml")


@dataclass(frozen=True)
class ExternalSystem:
    """Another system holding steps (``holder = "external:<key>"``), as an agency of ``external_level``."""
    key: str
    #: the code of its agency row
    code: str
    name: str
    #: the code of the agency it is filed under, if any
    parent: str | None = None


@dataclass(frozen=True)
class Structure:
    levels: tuple[str, ...]
    sectors: frozenset[str]
    #: the level of the agency rows that stand for other systems (not one of ``levels``)
    external_level: str = "external"
    external_systems: dict[str, ExternalSystem] = field(default_factory=dict, compare=False)

    def external_system_of(self, agency_code: str) -> ExternalSystem | None:
        return next((s for s in self.external_systems.values() if s.code == agency_code), None)


@cache
def structure(path: Path = STRUCTURE_FILE) -> Structure:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    systems = {key: ExternalSystem(key=key, code=row["code"], name=row["name"], parent=row.get("parent"))
               for key, row in data.get("external_systems", {}).items()}
    return Structure(levels=tuple(data["levels"]), sectors=frozenset(data["sectors"]),
                     external_level=data.get("external_level", "external"), external_systems=systems)
