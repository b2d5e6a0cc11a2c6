"""Which agency holds a step: the holder rules of procedure files, resolved against the tree."""
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.extensions import db


class HolderNotFound(LookupError):
    pass


def resolve_holder(spec: str, receiving: Agency) -> Agency:
    """Resolve ``desk`` / ``level:<level>`` / ``sector:<sector>`` / ``agency:<code>``.

    ``level:`` is the nearest agency of that level on the way from the receiving desk to the root;
    ``sector:`` is the agency competent for the sector within the receiving desk's root tree
    (nearest to the desk first, so a district office wins over a city department).
    """
    if spec == "desk":
        return receiving
    kind, _, value = spec.partition(":")
    chain = receiving.ancestor_ids()
    if kind == "level":
        rows = db.session.scalars(select(Agency).where(Agency.id.in_(chain), Agency.level == value)).all()
        found = max(rows, key=lambda a: len(a.path), default=None)
    elif kind == "sector":
        root_prefix = f"/{chain[0]}/"
        padded = "," + Agency.sectors + ","
        rows = db.session.scalars(select(Agency).where(
            Agency.path.startswith(root_prefix), padded.like(f"%,{value},%"))).all()
        on_chain = [a for a in rows if a.id in chain]
        found = max(on_chain, key=lambda a: len(a.path), default=None) or min(
            rows, key=lambda a: (len(a.path), a.id), default=None)
    elif kind == "agency":
        found = db.session.scalar(select(Agency).where(Agency.code == value))
    else:
        found = None
    if found is None:
        raise HolderNotFound(f"Không tìm được cơ quan «{spec}» cho hồ sơ tiếp nhận tại {receiving.name}.")
    return found
