"""A small fixed history for the report tests, built through the operations door under a frozen clock.

Every count of December 2026 is known by hand (``EXPECTED``). Working hours are 07:30-11:30 and
13:00-17:00; the copy certification (2.000815) and the birth registration (1.001193) have a budget of
one working day (8 h), so a dossier received at 08:00 is due at 08:00 the next working day.
The land certificate (1.013978) has 27 working days and crosses from the district to the department.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from onestop.auth.models import User
from onestop.core import clock
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import Channel, Dossier
from onestop.dossiers.operations import perform_action, receive_dossier, return_result
from onestop.extension_requests.operations import approve_extension, request_extension
from onestop.workflows.engine import engine
from tests.conftest import vn
from tests.helpers import before

COPY = "2.000815"  # ward, service level 2, 1 working day, no supplement step
BIRTH = "1.001193"  # ward, service level 4, 1 working day, supplement step
LAND = "1.013978"  # district, service level 3, 27 working days, district -> department -> city
APPLICANT = Applicant(name="Trần Văn Bình", id_number="031090005678", phone="0912000111",
                      address="5 Lạch Tray, Ngô Quyền, Hải Phòng")

#: when the history is looked at: after December 2026, with January 2027 events recorded
NOW = vn(2027, 1, 15, 9, 0)
DECEMBER = "2026-12"


def _user(db, username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


@dataclass
class History:
    db: object
    dossiers: dict[str, Dossier] = field(default_factory=dict)

    def receive(self, name: str, when, clerk: str, procedure: str, channel: Channel | None = None) -> Dossier:
        documents = [d.key for d in engine().procedure(procedure).documents]
        with clock.frozen(when):
            dossier = receive_dossier(_user(self.db, clerk), procedure_code=procedure, applicant=APPLICANT,
                                      documents=documents)
            if channel is not None:  # set directly: the history needs no application and no files
                dossier.channel = channel
            self.db.session.flush()
        self.dossiers[name] = dossier
        return dossier

    def act(self, name: str, when, action: str, username: str, note: str | None = None) -> None:
        dossier = self.dossiers[name]
        with clock.frozen(when):
            before(dossier, _user(self.db, username), action)
            if action == "return_result":
                return_result(dossier, _user(self.db, username), recipient=APPLICANT.name)
            else:
                documents = dossier.documents if action == "supplement_received" else None
                perform_action(dossier, _user(self.db, username), action, note=note or "Ghi chú", documents=documents)

    def through(self, name: str, ward: str, forward, check, sign, give_back) -> None:
        """A ward dossier along its whole path: desk -> officer -> leader -> desk -> returned."""
        self.act(name, forward, "forward", f"{ward}.clerk")
        self.act(name, check, "forward", f"{ward}.officer")
        self.act(name, sign, "sign", f"{ward}.supervisor")
        self.act(name, give_back, "return_result", f"{ward}.clerk")


def december_history(db) -> History:
    """The December 2026 history of ``EXPECTED`` (and a little before and after it)."""
    h = History(db)
    d = vn
    # -- before the period -------------------------------------------------------------------
    h.receive("N_before", d(2026, 11, 2, 8), "hbmk.clerk", COPY)
    h.through("N_before", "hbmk", d(2026, 11, 2, 8, 10), d(2026, 11, 2, 8, 20), d(2026, 11, 2, 8, 30),
              d(2026, 11, 2, 15))
    # B: carried over, returned in December after its appointment (due Fri 27 Nov 08:00)
    h.receive("B_carried_late", d(2026, 11, 26, 8), "hbmk.clerk", COPY)
    h.act("B_carried_late", d(2026, 11, 26, 8, 30), "forward", "hbmk.clerk")
    h.act("B_carried_late", d(2026, 11, 26, 9), "forward", "hbmk.officer")
    h.act("B_carried_late", d(2026, 11, 26, 10), "sign", "hbmk.supervisor")
    # A: carried over, still at the officer (due Mon 30 Nov 08:00): overdue at the end of December
    h.receive("A_carried_overdue", d(2026, 11, 27, 8), "hbmk.clerk", COPY)
    h.act("A_carried_overdue", d(2026, 11, 27, 8, 30), "forward", "hbmk.clerk")
    # P: carried over from the other ward of Hồng Bàng, refused in December
    h.receive("P_carried_refused", d(2026, 11, 30, 8), "hbqt.clerk", COPY)
    h.act("P_carried_refused", d(2026, 11, 30, 8, 30), "forward", "hbqt.clerk")
    # -- December ----------------------------------------------------------------------------
    h.act("P_carried_refused", d(2026, 12, 1, 9), "refuse", "hbqt.officer", "Bản chính không hợp lệ")
    # C: returned the day it was received, before the appointment day (due Wed 2 Dec 08:00): early
    h.receive("C_early", d(2026, 12, 1, 8), "hbmk.clerk", COPY)
    h.through("C_early", "hbmk", d(2026, 12, 1, 8, 10), d(2026, 12, 1, 8, 20), d(2026, 12, 1, 8, 30),
              d(2026, 12, 1, 15))
    h.act("B_carried_late", d(2026, 12, 2, 9), "return_result", "hbmk.clerk")
    # D: returned on the appointment day, two hours after its hour (due Thu 3 Dec 08:00): on time
    h.receive("D_on_time", d(2026, 12, 2, 8), "hbmk.clerk", COPY)
    h.through("D_on_time", "hbmk", d(2026, 12, 2, 8, 10), d(2026, 12, 2, 8, 20), d(2026, 12, 2, 8, 30),
              d(2026, 12, 3, 10))
    # E: online, returned on Monday 7 Dec (due Fri 4 Dec 08:00): late
    h.receive("E_online_late", d(2026, 12, 3, 8), "hbmk.clerk", BIRTH, Channel.ONLINE)
    h.through("E_online_late", "hbmk", d(2026, 12, 3, 8, 10), d(2026, 12, 3, 8, 20), d(2026, 12, 3, 8, 30),
              d(2026, 12, 7, 9))
    # F: from interconnection, refused by the officer
    h.receive("F_interconnection_refused", d(2026, 12, 4, 8), "hbmk.clerk", COPY, Channel.INTERCONNECTION)
    h.act("F_interconnection_refused", d(2026, 12, 4, 8, 10), "forward", "hbmk.clerk")
    h.act("F_interconnection_refused", d(2026, 12, 4, 9), "refuse", "hbmk.officer", "Không thuộc thẩm quyền")
    # G: withdrawn at the desk
    h.receive("G_withdrawn", d(2026, 12, 7, 8), "hbmk.clerk", COPY)
    h.act("G_withdrawn", d(2026, 12, 7, 9), "withdraw", "hbmk.clerk")
    # H: the officer asks for a supplement; the citizen has not come back (waiting now)
    h.receive("H_waiting", d(2026, 12, 8, 8), "hbmk.clerk", BIRTH)
    h.act("H_waiting", d(2026, 12, 8, 8, 10), "forward", "hbmk.clerk")
    h.act("H_waiting", d(2026, 12, 8, 9), "request_supplement", "hbmk.officer", "Thiếu giấy chứng sinh")
    # I: a land dossier that crosses from Hồng Bàng to the department; 27 working days: within
    h.receive("I_crossing_within", d(2026, 12, 9, 8), "hb.clerk", LAND)
    h.act("I_crossing_within", d(2026, 12, 9, 9), "forward", "hb.clerk")
    h.act("I_crossing_within", d(2026, 12, 10, 9), "forward", "hb.officer")
    # Q: online at Lê Chân, returned the same day (due Fri 11 Dec 08:00): early
    h.receive("Q_lc_online_early", d(2026, 12, 10, 8), "lcab.clerk", BIRTH, Channel.ONLINE)
    h.through("Q_lc_online_early", "lcab", d(2026, 12, 10, 8, 10), d(2026, 12, 10, 8, 20), d(2026, 12, 10, 8, 30),
              d(2026, 12, 10, 14))
    # K: at the officer over the new year (due Tue 15 Dec 08:00): overdue at the end of December,
    # returned in January
    h.receive("K_overdue_at_end", d(2026, 12, 14, 8), "hbmk.clerk", COPY)
    h.act("K_overdue_at_end", d(2026, 12, 14, 8, 10), "forward", "hbmk.clerk")
    # J: waiting for a supplement at the end of December, resumed in January
    h.receive("J_waiting_at_end", d(2026, 12, 15, 8), "hbmk.clerk", BIRTH)
    h.act("J_waiting_at_end", d(2026, 12, 15, 8, 10), "forward", "hbmk.clerk")
    h.act("J_waiting_at_end", d(2026, 12, 15, 9), "request_supplement", "hbmk.officer", "Thiếu tờ khai")
    # L: late (due Thu 17 Dec 08:00), given a new appointment (Mon 21 Dec) and returned before it:
    # still late, an extension does not make a late dossier timely
    h.receive("L_extended_late", d(2026, 12, 16, 8), "hbmk.clerk", COPY)
    h.act("L_extended_late", d(2026, 12, 16, 8, 10), "forward", "hbmk.clerk")
    with clock.frozen(d(2026, 12, 17, 9)):
        extension = request_extension(h.dossiers["L_extended_late"], _user(db, "hbmk.officer"),
                                      reason="Chờ xác minh bản chính", new_date=date(2026, 12, 21))
    with clock.frozen(d(2026, 12, 17, 10)):
        approve_extension(extension, _user(db, "hbmk.supervisor"))
    h.act("L_extended_late", d(2026, 12, 18, 8), "forward", "hbmk.officer")
    h.act("L_extended_late", d(2026, 12, 18, 9), "sign", "hbmk.supervisor")
    h.act("L_extended_late", d(2026, 12, 18, 15), "return_result", "hbmk.clerk")
    # M: Lê Chân, received on the last day (due Mon 4 Jan 08:00 after the new-year holiday): within
    h.receive("M_lc_within", d(2026, 12, 31, 8), "lcab.clerk", COPY)
    # -- after the period ----------------------------------------------------------------------
    h.act("K_overdue_at_end", d(2027, 1, 4, 9), "forward", "hbmk.officer")
    h.act("K_overdue_at_end", d(2027, 1, 4, 10), "sign", "hbmk.supervisor")
    h.act("K_overdue_at_end", d(2027, 1, 5, 9), "return_result", "hbmk.clerk")
    h.act("J_waiting_at_end", d(2027, 1, 5, 9), "supplement_received", "hbmk.clerk")
    h.receive("O_after", d(2027, 1, 4, 8), "hbmk.clerk", COPY)
    db.session.commit()
    return h


#: December 2026 as the city supervisor sees it: category -> the dossiers in it
EXPECTED = {
    "received": {"A_carried_overdue", "B_carried_late", "P_carried_refused", "C_early", "D_on_time", "E_online_late",
                 "F_interconnection_refused", "G_withdrawn", "H_waiting", "I_crossing_within", "J_waiting_at_end",
                 "K_overdue_at_end", "L_extended_late", "M_lc_within", "Q_lc_online_early"},
    "carried": {"A_carried_overdue", "B_carried_late", "P_carried_refused"},
    "new": {"C_early", "D_on_time", "E_online_late", "F_interconnection_refused", "G_withdrawn", "H_waiting",
            "I_crossing_within", "J_waiting_at_end", "K_overdue_at_end", "L_extended_late", "M_lc_within",
            "Q_lc_online_early"},
    "new_online": {"E_online_late", "Q_lc_online_early"},
    "new_desk": {"C_early", "D_on_time", "G_withdrawn", "H_waiting", "I_crossing_within", "J_waiting_at_end",
                 "K_overdue_at_end", "L_extended_late", "M_lc_within"},
    "new_interconnection": {"F_interconnection_refused"},
    "new_post": set(),
    "finished": {"B_carried_late", "C_early", "D_on_time", "E_online_late", "L_extended_late", "Q_lc_online_early"},
    "finished_early": {"C_early", "Q_lc_online_early"},
    "finished_on_time": {"D_on_time"},
    "finished_late": {"B_carried_late", "E_online_late", "L_extended_late"},
    "in_progress": {"A_carried_overdue", "I_crossing_within", "K_overdue_at_end", "M_lc_within"},
    "in_progress_on_time": {"I_crossing_within", "M_lc_within"},
    "in_progress_overdue": {"A_carried_overdue", "K_overdue_at_end"},
    "waiting": {"H_waiting", "J_waiting_at_end"},
    "refused": {"F_interconnection_refused", "P_carried_refused"},
    "withdrawn": {"G_withdrawn"},
}
#: the dossiers received outside Hồng Bàng's subtree
LE_CHAN = {"M_lc_within", "Q_lc_online_early"}
