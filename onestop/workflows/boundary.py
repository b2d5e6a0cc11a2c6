"""Reception regardless of administrative boundary (Decree 118/2025/NĐ-CP): a desk takes in
a dossier that another unit of the same province is competent for.

The receiving desk keeps the steps held by ``desk`` (reception, supplements, the result handed
back or posted); every other step resolves from the competent unit (``competent``, ``level:``,
``sector:`` rules, ``holders.py``). A unit may be named competent for a procedure received at a desk
when it is another active unit with a desk of its own in the same tree, it could receive that
procedure itself, every step resolves from the pair, and at least one step lands elsewhere than
it would for the desk's own unit (a procedure done wholly at the desk, a certification, has no
other competent unit).
"""
import re

from flask_babel import lazy_gettext as _l

from onestop.workflows.engine import engine, today
from onestop.workflows.holders import AgencyTree, HolderNotFound, Node
from onestop.workflows.versions import in_force

#: the words before a unit's place name: "Ủy ban nhân dân phường Lê Chân" is the place "Lê Chân"
_UNIT_WORDS = re.compile(r"^(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)?\s*(?:phường|xã|đặc khu|thị trấn|quận|huyện|thị xã|"
                         r"thành phố)?\s*", re.IGNORECASE)


def place_name(unit_name: str) -> str:
    """The place a unit is named after, as an address would write it (the intake page proposes the
    unit whose place the applicant's address names)."""
    return _UNIT_WORDS.sub("", unit_name.strip()) or unit_name


def _candidates(tree: AgencyTree, desk: Node) -> list[Node]:
    root = f"/{desk.ancestor_ids()[0]}/"
    return sorted((n for n in tree.nodes.values() if n.id != desk.id and n.active and n.has_desk
                   and n.path.startswith(root)), key=lambda n: (len(n.path), n.name, n.id))


def _problem(procedure, desk: Node, unit: Node, tree: AgencyTree, unit_refuses: dict):
    """Why ``procedure`` received at ``desk`` cannot be decided by ``unit`` (a lazy string), or None."""
    if procedure.code in unit_refuses:
        return _l("%(unit)s không giải quyết thủ tục này", unit=unit.name)
    problem = engine().routing_problem(procedure, desk, tree, unit)
    if problem is not None:
        return problem
    try:
        differs = any(tree.resolve(s.holder, desk, unit).id != tree.resolve(s.holder, desk).id
                      for s in procedure.steps)
    except HolderNotFound:  # the desk could not decide it alone: then the unit surely differs
        differs = True
    if not differs:
        return _l("thủ tục này giải quyết ngay tại nơi tiếp nhận")
    return None


def competent_choices(desk) -> dict[str, tuple[int, ...]]:
    """For each procedure in force today, the units a dossier received at ``desk`` (an ``Agency``)
    may be received for; worked out once per desk and kept until the tree or the day changes."""
    tree, day, eng = AgencyTree.current(), today(), engine()
    cached = eng.competent_cache.get(desk.id)
    if cached is not None and cached[:2] == (tree.fingerprint, day):
        return cached[2]
    node = tree.nodes[desk.id]
    units = _candidates(tree, node)
    refuses = {u.id: eng.intake_problems(u, tree) for u in units}
    choices: dict[str, tuple[int, ...]] = {}
    for code, versions in eng.versions.items():
        procedure = in_force(versions, day)
        if procedure is None:
            continue
        allowed = tuple(u.id for u in units if _problem(procedure, node, u, tree, refuses[u.id]) is None)
        if allowed:
            choices[code] = allowed
    eng.competent_cache[desk.id] = (tree.fingerprint, day, choices)
    return choices


def competent_units(desk) -> list[Node]:
    """The units named in any of the desk's choices, in the tree's order (nearest level first)."""
    tree = AgencyTree.current()
    wanted = {i for ids in competent_choices(desk).values() for i in ids}
    return [n for n in _candidates(tree, tree.nodes[desk.id]) if n.id in wanted]


def across_boundary_problem(desk, unit, code: str) -> str | None:
    """Why a dossier of ``code`` received at ``desk`` cannot be decided by ``unit`` (both ``Agency``
    rows), in the language of the request; None when it can."""
    tree = AgencyTree.current()
    node, other = tree.nodes.get(desk.id), tree.nodes.get(unit.id)
    if other is None or other not in _candidates(tree, node):
        return str(_l("%(unit)s không phải đơn vị có bộ phận một cửa đang hoạt động trong cùng tỉnh, thành phố.",
                      unit=unit.name))
    procedure = in_force(engine().versions[code], today())
    problem = _problem(procedure, node, other, tree, engine().intake_problems(other, tree))
    if problem is None:
        return None
    return str(_l("Không tiếp nhận được hồ sơ thủ tục %(code)s cho %(unit)s: %(problem)s.",
                  code=code, unit=unit.name, problem=problem))
