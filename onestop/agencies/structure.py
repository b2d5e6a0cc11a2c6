"""Agency levels and sectors, read from ``structure.toml`` (data, not code)."""
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STRUCTURE_FILE = Path(__file__).with_name("structure.toml")


@dataclass(frozen=True)
class Structure:
    levels: tuple[str, ...]
    sectors: frozenset[str]


@cache
def structure(path: Path = STRUCTURE_FILE) -> Structure:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Structure(levels=tuple(data["levels"]), sectors=frozenset(data["sectors"]))
