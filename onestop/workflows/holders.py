"""Which agency holds a step: the holder rules of procedure files, resolved against the tree.

``resolve_holder`` asks the database for one step of one dossier. ``AgencyTree`` is a snapshot of
the whole tree (one query) that resolves every step of every procedure in memory, for the question
"which procedures can this desk receive"; both choose with the same ``_choose``. The rule syntax
(``desk``, ``level:``, ``sector:``, ``agency:``, ``external:``, and ``@<level>``) is documented in
``definition.py``; ``external:<system>`` is the agency row of that system (``structure.toml``).
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.core.versions import ProcessCache, watch
from onestop.extensions import db
from onestop.workflows.definition import HolderRule, parse_holder


class HolderNotFound(LookupError):
    pass


def _choose(rule: HolderRule, candidates: list, chain: list[int]):
    """Pick the holder among the candidates of a rule (rows with ``id``, ``level`` and ``path``).

    An ``@<level>`` qualifier first drops the candidates of any other level.
    ``desk`` has the receiving desk as its only candidate, ``competent`` the competent unit.
    ``level:`` candidates are the agencies of that level on the chain: the nearest to the desk wins.
    ``sector:`` candidates are the agencies of that sector in the desk's root tree: one on the chain
    wins (nearest to the desk first, so a district office beats a city department); otherwise the
    highest in the tree, the lowest id on a tie.
    """
    if rule.level is not None:
        candidates = [a for a in candidates if a.level == rule.level]
    if rule.kind == "level":
        return max(candidates, key=lambda a: len(a.path), default=None)
    if rule.kind == "sector":
        on_chain = [a for a in candidates if a.id in chain]
        return max(on_chain, key=lambda a: len(a.path), default=None) or min(
            candidates, key=lambda a: (len(a.path), a.id), default=None)
    if rule.kind in ("desk", "competent", "agency", "external"):
        return candidates[0] if candidates else None
    return None


def _external_code(rule: HolderRule) -> str | None:
    """The agency code of the system an ``external:<system>`` rule names."""
    system = structure().external_systems.get(rule.value)
    return system.code if system is not None else None


def _rule(spec: str, receiving_name: str) -> HolderRule:
    try:
        return parse_holder(spec)
    except ValueError:
        raise _not_found(spec, receiving_name) from None


def _not_found(spec: str, receiving_name: str) -> HolderNotFound:
    return HolderNotFound(_("Không tìm được cơ quan «%(holder)s» cho hồ sơ tiếp nhận tại %(agency)s.",
                            holder=spec, agency=receiving_name))


def resolve_holder(spec: str, receiving: Agency, competent: Agency | None = None) -> Agency:
    """Resolve a holder rule (``desk``, ``competent``, ``level:<level>``, ``sector:<sector>``,
    ``agency:<code>``, with ``@<level>`` after ``desk`` or a sector) from the receiving desk and the
    competent unit (default: the desk's own)."""
    rule = _rule(spec, receiving.name)
    competent = competent or receiving
    chain = competent.ancestor_ids()
    if rule.kind in ("desk", "competent"):
        unit = receiving if rule.kind == "desk" else competent
        candidates = [unit] if unit.active else []
    elif rule.kind == "level":
        candidates = list(db.session.scalars(select(Agency).where(Agency.id.in_(chain), Agency.level == rule.value,
                                                                  Agency.active)))
    elif rule.kind == "sector":
        padded = "," + Agency.sectors + ","
        query = select(Agency).where(Agency.path.startswith(f"/{chain[0]}/"), padded.like(f"%,{rule.value},%"),
                                     Agency.active)
        if rule.level is not None:
            query = query.where(Agency.level == rule.level)
        candidates = list(db.session.scalars(query))
    else:
        code = _external_code(rule) if rule.kind == "external" else rule.value
        candidates = list(db.session.scalars(select(Agency).where(Agency.code == code, Agency.active)))
    found = _choose(rule, candidates, chain)
    if found is None:
        raise _not_found(spec, receiving.name)
    return found


@dataclass(frozen=True)
class Node:
    """An agency as the holder rules see it."""
    id: int
    code: str
    name: str
    level: str
    sectors: frozenset[str]
    path: str
    has_desk: bool
    #: a closed agency is in the tree (dossiers point at it) but never a holder
    active: bool = True

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


class AgencyTree:
    """The agency tree in memory; ``fingerprint`` changes whenever anything the rules read changes."""

    def __init__(self, nodes: list[Node]):
        self.nodes = {n.id: n for n in nodes}
        self.by_code = {n.code: n for n in nodes}
        self.fingerprint = hash(tuple(sorted(nodes, key=lambda n: n.id)))

    @classmethod
    def current(cls) -> "AgencyTree":
        """The tree as it is now, kept per process and read again when an agency changed anywhere
        (``core/versions.py``). Not for the checks of a change being made: those read ``load()``."""
        return _TREE.get()

    @classmethod
    def load(cls) -> "AgencyTree":
        rows = db.session.execute(select(Agency.id, Agency.code, Agency.name, Agency.level, Agency.sectors,
                                         Agency.path, Agency.has_desk, Agency.active))
        return cls([Node(id=r.id, code=r.code, name=r.name, level=r.level, path=r.path, has_desk=r.has_desk,
                         active=r.active, sectors=frozenset(s for s in (r.sectors or "").split(",") if s))
                    for r in rows])

    def resolve(self, spec: str, receiving: Node, competent: Node | None = None) -> Node:
        """Same answer as ``resolve_holder``, without the database."""
        rule = _rule(spec, receiving.name)
        competent = competent or receiving
        chain = competent.ancestor_ids()
        if rule.kind in ("desk", "competent"):
            candidates = [receiving if rule.kind == "desk" else competent]
        elif rule.kind == "level":
            candidates = [self.nodes[i] for i in chain if i in self.nodes and self.nodes[i].level == rule.value]
        elif rule.kind == "sector":
            root = f"/{chain[0]}/"
            candidates = [n for n in self.nodes.values() if n.path.startswith(root) and rule.value in n.sectors]
        else:
            code = _external_code(rule) if rule.kind == "external" else rule.value
            candidates = [self.by_code[code]] if code in self.by_code else []
        found = _choose(rule, [c for c in candidates if c.active], chain)
        if found is None:
            raise _not_found(spec, receiving.name)
        return found


watch(Agency, "agencies")
_TREE: ProcessCache[AgencyTree] = ProcessCache("agencies", AgencyTree.load)
