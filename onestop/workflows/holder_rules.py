"""A step's ``holder`` rule taken apart, and checked against the levels and sectors of the agency
tree (``agencies/structure.toml``); resolving it against the tree is ``holders.py``'s job."""
import difflib
import functools
from dataclasses import dataclass

from onestop.agencies.structure import Structure
from onestop.workflows.errors import DefinitionError

#: the kinds of holder rule, and which of them take an ``@<level>`` qualifier
HOLDER_KINDS = ("desk", "competent", "level", "sector", "agency", "external")
#: the kinds that take no ``:<value>``
BARE_KINDS = ("desk", "competent")
QUALIFIED_KINDS = ("desk", "sector")
HOLDER_SYNTAX = ("'desk', 'desk@<level>', 'competent', 'level:<level>', 'sector:<sector>', 'sector:<sector>@<level>', "
                 "'agency:<code>' or 'external:<system>'")
#: the role of the account another system acts with on the steps it holds
EXTERNAL_ROLE = "officer"


@dataclass(frozen=True)
class HolderRule:
    """A step's ``holder`` taken apart: ``sector:justice@department`` is
    ``HolderRule("sector", "justice", "department")``."""
    kind: str
    value: str = ""
    #: the ``@<level>`` qualifier: only agencies of this level qualify
    level: str | None = None


@functools.cache
def parse_holder(spec: str) -> HolderRule:
    """The parts of a holder rule; ``ValueError`` (with the reason) when it is not one.

    Only the syntax is checked here; whether the level or sector exists is the validator's job.
    """
    base, at, level = spec.partition("@")
    kind, colon, value = base.partition(":")
    if kind not in HOLDER_KINDS:
        raise ValueError(f"not a holder rule; use {HOLDER_SYNTAX}")
    if kind in BARE_KINDS and colon:
        raise ValueError(f"{kind!r} takes no ':<value>'; use {HOLDER_SYNTAX}")
    if kind not in BARE_KINDS and not value:
        raise ValueError(f"{kind!r} needs a value after ':'; use {HOLDER_SYNTAX}")
    if at and kind not in QUALIFIED_KINDS:
        raise ValueError(f"'@<level>' narrows only 'desk' and 'sector:<sector>' rules, not {kind!r}")
    if at and not level:
        raise ValueError("a level is missing after '@', e.g. 'sector:justice@department'")
    return HolderRule(kind=kind, value=value, level=level or None)


def check_holder(holder: str, known: Structure, source: str, where: str) -> None:
    """Refuse a holder rule that is malformed or names a level or sector ``structure.toml`` does not have."""
    try:
        rule = parse_holder(holder)
    except ValueError as exc:
        raise DefinitionError(source, f"{where}holder", f"unknown agency {holder!r}: {exc}") from None
    if rule.kind == "external" and rule.value not in known.external_systems:
        names = sorted(known.external_systems)
        close = difflib.get_close_matches(rule.value, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DefinitionError(source, f"{where}holder", f"unknown system {rule.value!r}{hint}; known systems "
                                                        f"(external_systems in structure.toml): {', '.join(names) or 'none'}")
    for what, name, names in (("level", rule.value if rule.kind == "level" else None, known.levels),
                              ("sector", rule.value if rule.kind == "sector" else None, sorted(known.sectors)),
                              ("level", rule.level, known.levels)):
        if name is not None and name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise DefinitionError(source, f"{where}holder", f"unknown agency {holder!r}: no {what} {name!r}{hint}; "
                                                            f"known {what}s: {', '.join(names)}")
