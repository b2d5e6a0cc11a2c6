"""The citizen's rating of the service (đánh giá mức độ hài lòng), once per dossier: satisfied or
not, and why (reasons from a fixed list, and a comment), given at the desk on the page the clerk
turns toward the citizen when the result is handed back, or from the public look-up. The reports
show the share satisfied by agency and procedure beside the Decision 766/QĐ-TTg indicators.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.extensions import db

#: the reasons offered, for a satisfied citizen and for one who is not
GOOD_REASONS = {"on_time": _l("Trả kết quả đúng hẹn"), "helpful": _l("Cán bộ hướng dẫn tận tình, dễ hiểu"),
                "simple": _l("Thủ tục, giấy tờ đơn giản"), "fees_clear": _l("Phí, lệ phí công khai, rõ ràng")}
BAD_REASONS = {"late": _l("Trả kết quả trễ hẹn"), "attitude": _l("Thái độ cán bộ chưa tốt"),
               "documents": _l("Yêu cầu nhiều giấy tờ hoặc bổ sung nhiều lần"),
               "fees": _l("Phí, lệ phí chưa rõ ràng"), "facilities": _l("Nơi tiếp nhận chật chội, chờ lâu")}
#: as the report files write them
REASONS_PAPER = {"on_time": "Đúng hẹn", "helpful": "Hướng dẫn tận tình", "simple": "Thủ tục đơn giản",
                 "fees_clear": "Phí rõ ràng", "late": "Trễ hẹn", "attitude": "Thái độ cán bộ",
                 "documents": "Nhiều giấy tờ, bổ sung nhiều lần", "fees": "Phí chưa rõ ràng",
                 "facilities": "Cơ sở vật chất, chờ lâu"}
CHANNELS = ("desk", "lookup")


class Rating(db.Model):
    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("via IN ('desk', 'lookup')", name="via_known"),
        # the satisfaction report of a period
        Index("ix_ratings_rated_at", "rated_at"),
    )

    #: one rating per dossier: the key is the dossier's
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)
    satisfied: Mapped[bool]
    #: keys of ``GOOD_REASONS`` or ``BAD_REASONS``
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    #: ``desk`` (the page turned toward the citizen) or ``lookup`` (the public look-up)
    via: Mapped[str] = mapped_column(String(10))
    rated_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: copied from the dossier, so the report groups ratings without reading the dossiers
    receiving_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    procedure_code: Mapped[str] = mapped_column(String(20))

    dossier: Mapped[Dossier] = relationship()
