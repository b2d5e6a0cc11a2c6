"""The acceptance test of a reorganisation: the running three-tier demo, with dossiers in every
state, carried over to the two-tier tree by the sample plan; and a plan that would strand a dossier
changes nothing."""
import tomllib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.workdays import current_calendar
from onestop.demo.seed import TWO_TIER_FILE, seed_demo
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import DailySequence, Dossier, DossierEvent, Status
from onestop.dossiers.operations import perform_action, receive_dossier
from onestop.dossiers.visits import open_visit
from onestop.extension_requests.models import DossierExtension
from onestop.extension_requests.operations import approve_extension, request_extension
from onestop.online.operations import submit_application
from onestop.reorganisation.apply import run
from onestop.reorganisation.plan import PlanError, parse_plan, read_plan
from onestop.workflows.engine import engine
from tests.conftest import vn
from tests.helpers import PDF
from tests.workflows.walk import walk_main_path

PLAN = Path(__file__).parents[2] / "onestop" / "demo" / "reorganise_three_to_two_tier.toml"
AN_BIEN = Applicant(name="Trần Thị Bình", id_number="031090005678", phone="0912345679",
                    address="5 An Biên, Lê Chân, Hải Phòng")
MAY_TO = Applicant(name="Lê Văn Cường", id_number="031090009999", phone="0912345670",
                   address="20 Máy Tơ, Ngô Quyền, Hải Phòng")
HONG_BANG = Applicant(name="Nguyễn Văn An", id_number="031090001234", phone="0912345678",
                      address="12 Minh Khai, Hồng Bàng, Hải Phòng")
#: the online application filed at a ward desk by ``running`` (not a dossier yet)
made_online: list = []
SNAPSHOT = ("code", "procedure_version", "step", "status", "step_seq", "received_at", "due_at", "step_started_at",
            "step_due_at", "paused_at", "paused_hours", "original_due_at", "finished_at")
#: the reminders' state, on the open step visit
VISIT_SNAPSHOT = ("step_seq", "step", "entered_at", "due_at", "remind_at", "reminded_day", "escalated")


def receive(user, clerk: str, code: str, applicant=HONG_BANG) -> Dossier:
    procedure = engine().receivable(code)
    details = {f.key: _value(f) for f in procedure.fields if f.required}
    dossier = receive_dossier(user(clerk), procedure_code=code, applicant=applicant,
                              documents=[d.key for d in procedure.documents], details=details)
    return dossier


def _value(spec):
    return {"text": "Một", "integer": "1", "decimal": "100", "date": "2020-01-01"}.get(spec.type) or spec.choices[0][0]


@pytest.fixture
def running(db, user):
    """Three-tier dossiers in every state, keyed by what they show (and an online application)."""
    made = {}
    made_online.clear()
    with clock.frozen(vn(2026, 10, 1, 9)):  # received two months ago: late by now
        made["overdue"] = receive(user, "lc.clerk", "1.013225", AN_BIEN)
        perform_action(made["overdue"], user("lc.clerk"), "forward")
    made["in_progress"] = receive(user, "hb.clerk", "1.013978")
    perform_action(made["in_progress"], user("hb.clerk"), "forward")
    made["at_the_desk"] = receive(user, "nq.clerk", "1.001612", MAY_TO)
    made["supplement"] = receive(user, "hb.clerk", "1.001612")
    perform_action(made["supplement"], user("hb.clerk"), "forward")
    perform_action(made["supplement"], user("hb.officer"), "request_supplement", note="Thiếu biên bản họp")
    made["paused_for_tax"] = receive(user, "hbmk.clerk", "HP-DD-01")
    for username in ("hbmk.clerk", "stnmt.officer", "hbmk.officer", "stnmt.officer", "cthp.officer"):
        perform_action(made["paused_for_tax"], user(username), "forward", note="ok")
    made["at_a_department"] = receive(user, "skhdt.clerk", "2.001610")
    perform_action(made["at_a_department"], user("skhdt.clerk"), "forward")
    made["at_the_city"] = receive(user, "stp.clerk", "3.000333")
    made["at_a_ward"] = receive(user, "katt.clerk", "1.001193")
    with clock.frozen(vn(2026, 10, 1, 9)):
        made["extension_late"] = receive(user, "ka.clerk", "1.013225")
        perform_action(made["extension_late"], user("ka.clerk"), "forward")
    a_month_on = current_calendar().add_working_days(clock.now().astimezone(VN_TZ).date(), 22)  # a working day
    request_extension(made["extension_late"], user("ka.officer"), reason="Chờ kiểm tra thực địa", new_date=a_month_on)
    made["finished"], _ = walk_main_path(db, user, "1.000656", "LCAB")
    desk = db.session.scalar(select(Agency.id).where(Agency.code == "HBQT"))
    made_online.append(submit_application(procedure_code="1.001193", desk_id=desk, applicant=HONG_BANG,
                                          delivery_method="desk",
                                          uploads=[("declaration", "t.pdf", PDF), ("birth_notice", "g.pdf", PDF)]))
    db.session.flush()
    states = {d.status for d in made.values()}
    assert states == {Status.PROCESSING, Status.SUPPLEMENT, Status.DONE}
    assert made["overdue"].is_overdue and made["paused_for_tax"].paused_at is not None
    return made


def snapshot(dossier: Dossier) -> dict:
    visit = open_visit(dossier.id)
    return {**{name: getattr(dossier, name) for name in SNAPSHOT},
            **{f"visit.{name}": getattr(visit, name) if visit is not None else None for name in VISIT_SNAPSHOT}}


def test_the_sample_plan_carries_every_dossier_over(db, user, client, login_as, running):
    seed_demo(TWO_TIER_FILE)
    db.session.flush()
    before = {key: snapshot(d) for key, d in running.items()}
    events = {key: len(d.events) for key, d in running.items()}
    finished_desk = running["finished"].receiving_agency_id
    plan = read_plan(PLAN)

    dry = run(plan, apply=False)
    assert dry.dossiers == sum(d.is_open for d in running.values())
    assert db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.action == "reorganise")) == 0, "a dry run keeps nothing"
    assert db.session.scalar(select(Agency.active).where(Agency.code == "HB"))

    outcome = run(plan, apply=True)
    assert outcome.held[("HB", "HONGBANG", "supplement")] == 1 and outcome.online == 1
    db.session.refresh(made_online[0])
    assert made_online[0].desk_agency.code == "HONGBANG", "an application filed online waits at the new desk"
    assert outcome.desks[("LC", "ANBIEN")] == 1, "the Lê Chân dossier of an An Biên applicant goes to An Biên"
    by_code = {a.code: a for a in db.session.scalars(select(Agency))}
    expected_holders = {"overdue": "ANBIEN", "in_progress": "HONGBANG", "at_the_desk": "GIAVIEN",
                        "supplement": "HONGBANG", "paused_for_tax": "HONGBANG", "at_a_department": "STC",
                        "at_the_city": "TTPVHCC", "extension_late": "KIENAN"}
    for key, dossier in running.items():
        db.session.refresh(dossier)
        after = snapshot(dossier)
        assert after == before[key], f"{key}: deadlines, clock and reminders are kept"
        if not dossier.is_open:
            assert dossier.receiving_agency_id == finished_desk and len(dossier.events) == events[key]
            continue
        holder = dossier.holder_agency
        assert holder.active and holder.code == expected_holders.get(key, holder.code), (key, holder.code)
        assert dossier.receiving_agency.active and dossier.receiving_agency.has_desk
        assert len(dossier.events) == events[key] + 1 and dossier.events[-1].action == "reorganise"
        assert dossier.events[-1].to_agency_id == holder.id
        assert dossier.assignee is None or dossier.assignee.agency_id == holder.id
        step = engine().of(dossier).step(dossier.step)
        login_as(f"{holder.code.lower()}.{step.role}" if step.role != "clerk" or holder.has_desk else
                 f"{holder.code.lower()}.officer")
        page = client.get("/inbox?tab=all").get_data(as_text=True)
        assert dossier.code in page, f"{key} is in the inbox of {holder.code}"
    assert by_code["HB"].dissolved_on == date(2025, 7, 1) and by_code["HB"].successor.code == "HONGBANG"
    assert by_code["HB"].name == "Ủy ban nhân dân quận Hồng Bàng", "history keeps the name as it was"
    assert not by_code["HB"].active and not by_code["HP"].has_desk and by_code["HP"].active
    assert user("hb.officer").agency.code == "HONGBANG" and user("hp.clerk").agency.code == "TTPVHCC"
    assert user("stnmt.clerk").agency.code == "TTPVHCC" and user("stnmt.officer").agency.code == "SNNMT"
    history = running["in_progress"].events
    assert history[0].to_agency.code == "HB", "the history still names the district"
    assert running["in_progress"].received_desk.code == "HB" and running["in_progress"].receiving_agency.code == "HONGBANG"
    assert running["finished"].original_desk_id is None
    received_at = dict(db.session.execute(select(Dossier.id, Dossier.received_desk_id)).all())
    assert received_at[running["at_the_desk"].id] == by_code["NQ"].id, "statistics count it where it was received"

    extension = db.session.scalar(select(DossierExtension).where(
        DossierExtension.dossier_id == running["extension_late"].id))
    assert extension.agency_id == running["extension_late"].holder_agency_id
    approve_extension(extension, user("kienan.supervisor"))
    assert running["extension_late"].original_due_at == before["extension_late"]["due_at"]

    perform_action(running["supplement"], user("hb.clerk"), "supplement_received",
                   documents=running["supplement"].documents)
    assert running["supplement"].holder_agency.code == "HONGBANG", "the next steps resolve from the new desk"


def test_the_supervisor_of_a_successor_sees_its_predecessors(db, user, running):
    from onestop.auth.scope import scope_agency_ids

    seed_demo(TWO_TIER_FILE)
    run(read_plan(PLAN), apply=True)
    supervisor = db.session.scalar(select(User).where(User.username == "hongbang.supervisor"))
    seen = set(db.session.scalars(select(Agency.code).where(Agency.id.in_(scope_agency_ids(supervisor)))))
    assert {"HONGBANG", "HB", "HBMK", "HBQT"} <= seen and "LC" not in seen


def _without_versions():
    """The sample plan without its ``[[versions]]``: the district-era dossiers would keep their version."""
    data = tomllib.loads(PLAN.read_text(encoding="utf-8"))
    data.pop("versions")
    return parse_plan(data, PLAN.name)


def test_a_district_era_dossier_goes_on_under_the_version_in_force(db, user, running):
    with clock.frozen(vn(2025, 6, 2, 9)):  # the district-era version: its next steps need a district
        old = receive(user, "hb.clerk", "1.001612")
        perform_action(old, user("hb.clerk"), "forward")
    db.session.flush()
    assert (old.procedure_version, old.step, old.holder_agency.code) == (1, "registry_check", "HB")
    kept = {name: getattr(old, name) for name in ("due_at", "step_due_at", "received_at", "step_seq")}
    visit = (open_visit(old.id).entered_at, open_visit(old.id).due_at)
    seed_demo(TWO_TIER_FILE)
    with clock.frozen(vn(2025, 6, 30, 17)):
        outcome = run(read_plan(PLAN), apply=True)
    assert outcome.versions[("1.001612", 1, 2)] >= 1
    db.session.refresh(old)
    assert (old.procedure_version, old.step, old.holder_agency.code) == (2, "registry_check", "HONGBANG")
    assert {name: getattr(old, name) for name in kept} == kept, "deadlines and the clock stay"
    assert (open_visit(old.id).entered_at, open_visit(old.id).due_at) == visit
    line = [e for e in old.events if e.action == "reorganise" and "phiên bản 2" in (e.note or "")]
    assert len(line) == 1 and line[0].from_step == line[0].to_step == "registry_check"
    perform_action(old, user("hongbang.officer"), "forward")  # the commune's leader signs, as version 2 says
    assert (old.step, old.holder_agency.code) == ("leader_sign", "HONGBANG")


def test_a_step_the_new_version_lacks_refuses_the_plan_unless_mapped(db, user, running):
    with clock.frozen(vn(2025, 6, 2, 9)):
        old = receive(user, "hb.clerk", "1.001612")
        perform_action(old, user("hb.clerk"), "forward")
    db.session.execute(update(Dossier).where(Dossier.id == old.id).values(step="district_only"))
    db.session.expire_all()
    seed_demo(TWO_TIER_FILE)
    data = tomllib.loads(PLAN.read_text(encoding="utf-8"))
    with pytest.raises(PlanError, match="district_only"):
        run(parse_plan(data, PLAN.name), apply=True)
    assert db.session.get(Dossier, old.id).procedure_version == 1, "refused: nothing changed"
    data["versions"][0]["steps"] = {"district_only": "registry_check"}
    run(parse_plan(data, PLAN.name), apply=True)
    moved = db.session.get(Dossier, old.id)
    assert (moved.procedure_version, moved.step) == (2, "registry_check")
    assert open_visit(old.id).step == "registry_check"
    with pytest.raises(PlanError, match="procedure"):
        parse_plan({**data, "versions": [{"procedure": "9.999999"}]}, PLAN.name)


def test_a_plan_leaving_a_dossier_without_a_holder_changes_nothing(db, user, running):
    with clock.frozen(vn(2025, 6, 2, 9)):  # the district-era version: its next steps need a district
        stranded = receive(user, "hb.clerk", "1.001612")
        perform_action(stranded, user("hb.clerk"), "forward")
    seed_demo(TWO_TIER_FILE)
    db.session.flush()
    before = {d.id: (d.holder_agency_id, d.receiving_agency_id, len(d.events)) for d in running.values()}
    users = dict(db.session.execute(select(User.id, User.agency_id)).all())
    sequences = db.session.execute(select(DailySequence.agency_id, DailySequence.day, DailySequence.last_value)).all()
    with pytest.raises(PlanError, match=stranded.code):
        run(_without_versions(), apply=True)
    for dossier in running.values():
        db.session.refresh(dossier)
        assert (dossier.holder_agency_id, dossier.receiving_agency_id, len(dossier.events)) == before[dossier.id]
    assert dict(db.session.execute(select(User.id, User.agency_id)).all()) == users
    assert db.session.execute(select(DailySequence.agency_id, DailySequence.day, DailySequence.last_value)).all() \
        == sequences
    assert db.session.scalar(select(Agency.active).where(Agency.code == "HB"))
    assert db.session.scalar(select(Agency.dissolved_on).where(Agency.code == "HB")) is None


def test_the_dry_run_prints_what_would_move_by_agency_and_state(app, db, user, running):
    from onestop.reorganisation.cli import report

    seed_demo(TWO_TIER_FILE)
    lines = report(run(read_plan(PLAN), apply=False))
    assert any("HB" in line and "HONGBANG" in line and "supplement" in line for line in lines)
    assert any("SKHDT" in line and "STC" in line and "processing" in line for line in lines)
    assert db.session.scalar(select(Agency.active).where(Agency.code == "SKHDT"))


def test_the_receipt_and_the_statistics_keep_the_desk_that_received_it(db, user, client, login_as, running):
    from onestop.reports.periods import Period
    from onestop.reports.statistics import Window, counts_query
    from onestop.slips.papers import SLIPS, _desk_of

    seed_demo(TWO_TIER_FILE)
    run(read_plan(PLAN), apply=True)
    dossier = running["overdue"]  # received at Lê Chân in October, its desk of return is An Biên now
    db.session.refresh(dossier)
    assert _desk_of(SLIPS["01"], dossier).code == "LC" and _desk_of(SLIPS["02"], dossier).code == "ANBIEN"
    login_as("anbien.clerk")
    receipt = client.get(f"/dossiers/{dossier.id}/slips/01")
    assert receipt.status_code == 200
    assert "Bộ phận tiếp nhận và trả kết quả — Ủy ban nhân dân quận Lê Chân tiếp nhận" in receipt.get_data(as_text=True)
    window = Window.of(Period.month(2026, 10), clock.now())
    admin = user("admin")
    rows = db.session.execute(counts_query(window, admin)).all()
    by_code = {a.id: a.code for a in db.session.scalars(select(Agency))}
    counted = {(by_code[r.receiving_agency_id], r.procedure_code) for r in rows}
    assert ("LC", "1.013225") in counted and ("ANBIEN", "1.013225") not in counted, counted
    supervisor = user("anbien.supervisor")
    rows = db.session.execute(counts_query(window, supervisor)).all()
    assert {by_code[r.receiving_agency_id] for r in rows} == set(), "An Biên's supervisor: LC is not its predecessor"
    rows = db.session.execute(counts_query(window, user("lechan.supervisor"))).all()
    assert "LC" in {by_code[r.receiving_agency_id] for r in rows}, "Lê Chân's supervisor sees its predecessor's figures"
