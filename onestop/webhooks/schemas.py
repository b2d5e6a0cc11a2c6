"""What the webhook calls of the API take and answer."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from onestop.api.fields import Choice, List, OutSchema, Schema, Text, WholeNumber
from onestop.webhooks.models import EVENT_KINDS, DeliveryStatus


class SubscriptionIn(Schema):
    url = Text(2000, required=True, pattern=r"^https?://[^\s]+$",
               pattern_message=_l("Địa chỉ nhận phải là một địa chỉ http:// hoặc https://."),
               metadata={"description": "where the events are POSTed"})
    events = List(Choice(EVENT_KINDS), required=True, min_items=1, max_items=len(EVENT_KINDS))


class SubscriptionOut(OutSchema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(metadata={"enum": list(EVENT_KINDS)}), required=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class NewSubscriptionOut(SubscriptionOut):
    secret = fields.String(required=True, metadata={
        "description": "the HMAC key of the signatures; shown this once"})


class SubscriptionList(OutSchema):
    items = fields.List(fields.Nested(SubscriptionOut), required=True)


class DeliveryQuery(Schema):
    status = Choice([s.value for s in DeliveryStatus])
    subscription = WholeNumber(1, 2**31 - 1, strict=False)
    dossier = Text(40, pattern=r"^[A-Za-z0-9._-]{1,40}$", metadata={"description": "a dossier code"})
    limit = WholeNumber(1, 200, strict=False, load_default=50)
    before = WholeNumber(1, 2**31 - 1, strict=False, metadata={"description": "the cursor of the previous page"})


class DeliveryOut(OutSchema):
    id = fields.Integer(required=True)
    subscription_id = fields.Integer(required=True)
    dossier_code = fields.String(required=True)
    event_id = fields.Integer(required=True, allow_none=True)
    type = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in DeliveryStatus]})
    attempts = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    next_attempt_at = fields.DateTime(required=True, allow_none=True)
    delivered_at = fields.DateTime(required=True, allow_none=True)
    failed_at = fields.DateTime(required=True, allow_none=True)
    last_status = fields.Integer(required=True, allow_none=True)
    last_error = fields.String(required=True, allow_none=True)
    replay_of = fields.Integer(required=True, allow_none=True)


class DeliveryList(OutSchema):
    items = fields.List(fields.Nested(DeliveryOut), required=True)
    next = fields.Integer(required=True, allow_none=True, metadata={"description": "pass as ``before``; null: the end"})
