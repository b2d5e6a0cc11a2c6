"""The fees a procedure file states (phí, lệ phí), checked when the catalogue loads, and the amount
they come to for one dossier.

A fee, one ``[[fees]]`` table of a procedure file:

* ``key`` (lower_case), ``name`` (as printed on the receipt), ``kind``: ``charge`` (lệ phí, the
  default) or ``fee`` (phí);
* ``per``: ``dossier`` (a fixed amount, the default), ``page`` (each page of each copy, as for
  certified copies) or ``copy`` (each copy);
* ``amount``: whole đồng per unit (per dossier: the amount);
* ``tiers`` (``page`` and ``copy``): ``[{ from = 3, amount = 1000 }]``, from that unit on each
  unit costs that amount; ``from`` above 1 and increasing;
* ``cap`` (``page`` and ``copy``): the most one copy comes to (``page``) or the whole fee (``copy``);
* ``online_percent`` (default 100): the share paid when the dossier was filed online (0: free
  online, 50: half);
* ``collect``: ``intake`` (the default: paid when the desk receives the dossier) or ``return``
  (paid when the result is handed back);
* ``estimated`` (default false) with ``source``: the figure is a guess, e.g. an amount "set by
  the provincial council" taken from another province's resolution; ``source`` says where the
  figure comes from (required when estimated) and the desk shows the amount as an estimate.

The certified copy: ``per = "page"``, ``amount = 2000``, ``tiers = [{ from = 3, amount = 1000 }]``,
``cap = 200000``: 2,000 đ a page, 1,000 đ from the third, at most 200,000 đ a copy. A procedure
without ``[[fees]]`` is free.
"""
import re
from dataclasses import dataclass

KINDS = ("charge", "fee")
PER = ("dossier", "page", "copy")
COLLECT = ("intake", "return")
FEE_KEYS = ("key", "name", "kind", "per", "amount", "tiers", "cap", "online_percent", "collect", "estimated", "source")
#: the most a fee may state, and the most pages or copies one dossier may count
LARGEST_AMOUNT = 10 ** 10
MAX_PAGES = 10_000
MAX_COPIES = 1_000
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
KIND_LABELS = {"charge": "Lệ phí", "fee": "Phí"}


@dataclass(frozen=True)
class Tier:
    start: int
    amount: int


@dataclass(frozen=True)
class Fee:
    key: str
    name: str
    kind: str = "charge"
    per: str = "dossier"
    amount: int = 0
    tiers: tuple[Tier, ...] = ()
    cap: int | None = None
    online_percent: int = 100
    collect: str = "intake"
    estimated: bool = False
    source: str = ""

    def unit_price(self, n: int) -> int:
        """The price of the ``n``-th unit (1-based)."""
        price = self.amount
        for tier in self.tiers:
            if n >= tier.start:
                price = tier.amount
        return price

    def units(self, count: int) -> int:
        """What ``count`` units come to, tier by tier (no loop over the units)."""
        bounds = [1] + [t.start for t in self.tiers] + [count + 1]
        prices = [self.amount] + [t.amount for t in self.tiers]
        return sum(price * max(0, min(bounds[i + 1], count + 1) - bounds[i]) for i, price in enumerate(prices))

    def come_to(self, *, pages: int, copies: int, online: bool) -> int:
        if self.per == "dossier":
            total = self.amount
        elif self.per == "page":
            per_copy = self.units(pages)
            total = copies * (min(per_copy, self.cap) if self.cap is not None else per_copy)
        else:
            total = self.units(copies)
            total = min(total, self.cap) if self.cap is not None else total
        return total * self.online_percent // 100 if online else total

    def quantity_text(self, *, pages: int, copies: int) -> str:
        """As the receipt writes it (Vietnamese: an official paper)."""
        if self.per == "page":
            return f"{copies} bản × {pages} trang"
        if self.per == "copy":
            return f"{copies} bản"
        return "1 hồ sơ"


@dataclass(frozen=True)
class QuoteLine:
    key: str
    name: str
    kind: str
    quantity: str
    amount: int
    collect: str
    estimated: bool


@dataclass(frozen=True)
class Quote:
    """The fees of one dossier: a line per fee, the totals to collect at intake and at return."""

    lines: tuple[QuoteLine, ...]
    pages: int
    copies: int
    online: bool

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    def due(self, stage: str) -> int:
        return sum(line.amount for line in self.lines if line.collect == stage)

    @property
    def estimated(self) -> bool:
        return any(line.estimated and line.amount for line in self.lines)

    def as_json(self) -> dict:
        return {"total": self.total, "intake": self.due("intake"), "return": self.due("return"),
                "estimated": self.estimated, "pages": self.pages, "copies": self.copies, "online": self.online,
                "lines": [line.__dict__ for line in self.lines]}


def quote(fees: tuple[Fee, ...], *, pages: int = 1, copies: int = 1, online: bool = False) -> Quote:
    """The amounts of ``fees`` for a dossier of ``copies`` copies of ``pages`` pages each."""
    pages, copies = max(1, min(pages, MAX_PAGES)), max(1, min(copies, MAX_COPIES))
    return Quote(tuple(QuoteLine(f.key, f.name, f.kind, f.quantity_text(pages=pages, copies=copies),
                                 f.come_to(pages=pages, copies=copies, online=online), f.collect, f.estimated)
                       for f in fees), pages, copies, online)


def needs(fees: tuple[Fee, ...]) -> set[str]:
    """Which counts the desk must enter for these fees: ``pages`` and/or ``copies``."""
    wanted = set()
    for fee in fees:
        if fee.per == "page":
            wanted |= {"pages", "copies"}
        elif fee.per == "copy":
            wanted.add("copies")
    return wanted


def parse_fees(raw, error) -> tuple[Fee, ...]:
    """The ``[[fees]]`` of a procedure file, checked; ``error(field, reason)`` builds the
    ``DefinitionError`` naming the file."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise error("fees", f"must be a list of tables ([[fees]]), got {raw!r}")
    fees: list[Fee] = []
    for i, table in enumerate(raw):
        where = f"fees[{i}]"
        if not isinstance(table, dict):
            raise error(where, f"must be a table, got {table!r}")
        key = table.get("key")
        if not isinstance(key, str) or not _IDENT.match(key):
            raise error(f"{where}.key", f"{key!r} must be lower_case_with_underscores")
        where = f"fees.{key}"
        for name in table:
            if name not in FEE_KEYS:
                raise error(f"{where}.{name}", f"unknown field {name!r}; known: {', '.join(FEE_KEYS)}")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise error(f"{where}.name", "is missing (the name printed on the receipt)")
        kind = _one_of(table, "kind", KINDS, "charge", where, error)
        per = _one_of(table, "per", PER, "dossier", where, error)
        collect = _one_of(table, "collect", COLLECT, "intake", where, error)
        amount = _amount(table.get("amount"), f"{where}.amount", error, required=True)
        tiers = _tiers(table.get("tiers"), per, where, error)
        cap = table.get("cap")
        if cap is not None:
            if per == "dossier":
                raise error(f"{where}.cap", "a fixed fee (per = \"dossier\") has no cap; a cap bounds a fee per page or per copy")
            cap = _amount(cap, f"{where}.cap", error, required=True)
            if cap < max([amount] + [t.amount for t in tiers]):
                raise error(f"{where}.cap", f"{cap} is less than one unit costs")
        percent = table.get("online_percent", 100)
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            raise error(f"{where}.online_percent", f"must be a whole number from 0 to 100, got {percent!r}")
        estimated = table.get("estimated", False)
        if not isinstance(estimated, bool):
            raise error(f"{where}.estimated", f"must be true/false, got {estimated!r}")
        source = table.get("source", "")
        if not isinstance(source, str):
            raise error(f"{where}.source", f"must be text, got {source!r}")
        if estimated and not source.strip():
            raise error(f"{where}.source", "an estimated fee must say where its figure comes from "
                                           "(e.g. the resolution of another province's council it copies)")
        if any(f.key == key for f in fees):
            raise error(where, f"two fees share the key {key!r}")
        fees.append(Fee(key=key, name=name, kind=kind, per=per, amount=amount, tiers=tiers, cap=cap,
                        online_percent=percent, collect=collect, estimated=estimated, source=source))
    return tuple(fees)


def _one_of(table, name, allowed, default, where, error) -> str:
    value = table.get(name, default)
    if value not in allowed:
        raise error(f"{where}.{name}", f"unknown {name} {value!r}; known: {', '.join(allowed)}")
    return value


def _amount(value, where: str, error, required: bool) -> int:
    if value is None and required:
        raise error(where, "is missing (whole đồng)")
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(where, f"must be a whole number of đồng, got {value!r}")
    if not 0 <= value <= LARGEST_AMOUNT:
        raise error(where, f"must be from 0 to {LARGEST_AMOUNT:,} đồng, got {value:,}")
    return value


def _tiers(raw, per: str, where: str, error) -> tuple[Tier, ...]:
    if raw is None:
        return ()
    if per == "dossier":
        raise error(f"{where}.tiers", "a fixed fee (per = \"dossier\") has no tiers")
    if not isinstance(raw, list) or not raw:
        raise error(f"{where}.tiers", f"must be a list such as [{{ from = 3, amount = 1000 }}], got {raw!r}")
    tiers: list[Tier] = []
    for j, tier in enumerate(raw):
        twhere = f"{where}.tiers[{j}]"
        if not isinstance(tier, dict) or set(tier) != {"from", "amount"}:
            raise error(twhere, f"must be {{ from = <unit>, amount = <đồng> }}, got {tier!r}")
        start = tier["from"]
        if isinstance(start, bool) or not isinstance(start, int) or start < 2:
            raise error(f"{twhere}.from", f"must be a whole number from 2 on (the first unit costs amount), got {start!r}")
        if tiers and start <= tiers[-1].start:
            raise error(f"{twhere}.from", f"{start} must come after {tiers[-1].start}")
        tiers.append(Tier(start, _amount(tier["amount"], f"{twhere}.amount", error, required=True)))
    return tuple(tiers)
