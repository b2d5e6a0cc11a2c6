"""Reminder and escalation rules: what the deadline sweep tells whom, and when.

A rule set says, for the steps of a procedure:

* ``due_soon_percent`` — remind the assignee when the step has used this share of its budget
  (75 by default; 0 turns it off);
* ``remind_overdue`` — remind the assignee when the step is due and on each working day it is
  overdue;
* ``escalate_days`` — tell the supervisors of the holding agency once the step is this many
  working days overdue (1 by default; None turns it off);
* ``escalate_parent_days`` — tell the supervisors of the parent agency (3 by default).

The global rule set comes from configuration (``ONESTOP_REMIND_*``, ``ONESTOP_ESCALATE_*``). An
admin may replace it, and give single procedures their own rule set, on the calendar admin page:
rows of ``reminder_rules``, where ``procedure_code`` NULL is the global row. The rules live in
the database rather than in the procedure files because they are operational tuning, not law: a
department that wants an earlier escalation gets it from an admin, today, without a deploy, and
the procedure files stay the validated legal catalogue that is loaded once at start-up.

The 75 % instant depends on the step's own budget, so it is planned when the step starts
(``remind_at_of``, called by ``dossiers.visits`` for the visit it opens); the sweep reads every other rule when it
runs, so a changed rule applies to the dossiers already open.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from onestop.core.calendar import WorkingCalendar
from onestop.core.models import TimestampMixin
from onestop.core.versions import ProcessCache, forget, watch
from onestop.extensions import db


class ReminderRule(TimestampMixin, db.Model):
    """An admin's rule set: the global one (``procedure_code`` NULL) or one procedure's.

    A change replaces the row: the old one is kept with ``removed_at`` set, as a removal keeps
    it, so every rule that was ever in force stays readable with its author."""

    __tablename__ = "reminder_rules"
    __table_args__ = (
        CheckConstraint("due_soon_percent BETWEEN 0 AND 99", name="due_soon_percent_range"),
        CheckConstraint("escalate_days IS NULL OR escalate_days >= 0", name="escalate_days_positive"),
        CheckConstraint("escalate_parent_days IS NULL OR escalate_days IS NULL OR escalate_parent_days > escalate_days",
                        name="parent_after_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the procedure these rules are for; NULL: the global rules
    procedure_code: Mapped[str | None] = mapped_column(String(20))
    #: remind the assignee at this share (%) of the step budget; 0: no such reminder
    due_soon_percent: Mapped[int] = mapped_column(SmallInteger)
    #: remind the assignee when the step is due and on each working day it is overdue
    remind_overdue: Mapped[bool]
    #: escalate to the holding agency's supervisors after this many working days overdue; NULL: never
    escalate_days: Mapped[int | None] = mapped_column(SmallInteger)
    #: escalate to the parent agency's supervisors after this many working days overdue; NULL: never
    escalate_parent_days: Mapped[int | None] = mapped_column(SmallInteger)
    #: the admin who set it (None for rows older than authorship)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: when and by whom it was replaced or removed; None while in force
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def snapshot(self) -> dict:
        return {"procedure": self.procedure_code, "due_soon_percent": self.due_soon_percent,
                "remind_overdue": self.remind_overdue, "escalate_days": self.escalate_days,
                "escalate_parent_days": self.escalate_parent_days}

    def rule_set(self) -> RuleSet:
        return RuleSet(self.due_soon_percent, self.remind_overdue, self.escalate_days, self.escalate_parent_days)


#: one row in force per procedure and a single global one (NULLs would not collide in a plain unique constraint)
Index("uq_reminder_rules_scope", func.coalesce(ReminderRule.procedure_code, ""), unique=True,
      postgresql_where=text("removed_at IS NULL"), sqlite_where=text("removed_at IS NULL"))

@dataclass(frozen=True)
class RuleSet:
    due_soon_percent: int = 75
    remind_overdue: bool = True
    escalate_days: int | None = 1
    escalate_parent_days: int | None = 3

    @classmethod
    def from_config(cls, config) -> RuleSet:
        rules = cls(int(config["ONESTOP_REMIND_DUE_SOON_PERCENT"]), bool(config["ONESTOP_REMIND_OVERDUE"]),
                    config["ONESTOP_ESCALATE_DAYS"], config["ONESTOP_ESCALATE_PARENT_DAYS"])
        problem = rules.problem()
        if problem:
            raise ValueError(f"reminder settings: {problem}")
        return rules

    def problem(self) -> str | None:
        """Why this rule set cannot be used, or None."""
        if not 0 <= self.due_soon_percent <= 99:
            return "the due-soon share must be 0 (off) to 99 %"
        for days in (self.escalate_days, self.escalate_parent_days):
            if days is not None and days < 0:
                return "escalation days cannot be negative"
        if None not in (self.escalate_days, self.escalate_parent_days) and \
                self.escalate_parent_days <= self.escalate_days:
            return "the parent agency is told after the holding agency"
        return None


@dataclass(frozen=True)
class Rules:
    """Every rule set in force: the global one and the procedures' own."""

    default: RuleSet
    by_procedure: dict[str, RuleSet]

    def for_procedure(self, code: str) -> RuleSet:
        return self.by_procedure.get(code, self.default)

    def groups(self, attribute: str) -> dict[object, tuple[list[str], bool]]:
        """Procedures grouped by the value of one rule: ``{value: (codes, is_default)}``.

        The default group stands for every procedure without its own rule set; its codes are
        the ones to exclude, the other groups' codes the ones to include.
        """
        own = sorted(self.by_procedure)
        groups: dict[object, tuple[list[str], bool]] = {getattr(self.default, attribute): (own, True)}
        for code in own:
            value = getattr(self.by_procedure[code], attribute)
            if value == getattr(self.default, attribute):
                continue
            groups.setdefault(value, ([], False))[0].append(code)
        return groups


def config_rules() -> RuleSet:
    return RuleSet.from_config(current_app.config)


def _load_rules() -> Rules:
    t = ReminderRule.__table__
    rows = db.session.execute(select(t.c.procedure_code, t.c.due_soon_percent, t.c.remind_overdue,
                                     t.c.escalate_days, t.c.escalate_parent_days).where(t.c.removed_at.is_(None))).all()
    default = next((RuleSet(*r[1:]) for r in rows if r.procedure_code is None), None) or config_rules()
    return Rules(default, {r.procedure_code: RuleSet(*r[1:]) for r in rows if r.procedure_code is not None})


watch(ReminderRule, "reminder_rules")
_RULES = ProcessCache("reminder_rules", _load_rules)


def current_rules() -> Rules:
    """The rules in force, kept per process and read again when a rule changed anywhere (``core/versions.py``)."""
    return _RULES.get(config_rules())


def forget_rules() -> None:
    """Read the stamps again on next use (pending changes of this session are flushed then)."""
    forget()


def remind_at_of(procedure_code: str, step_hours: float, cal: WorkingCalendar, counted_from: datetime) -> datetime | None:
    """When to send the "used N % of the step" reminder of a step just entered, whose budget of
    ``step_hours`` counts from ``counted_from``; None when the rule is off (``visits.record``)."""
    if step_hours <= 0:
        return None
    percent = current_rules().for_procedure(procedure_code).due_soon_percent
    return cal.add_working_hours(counted_from, step_hours * percent / 100) if percent else None
