"""How a delivery is signed, and how a receiver checks it.

Each POST carries

* ``Onestop-Webhook-Id``: the delivery's id (a replay has a new one; ``event.id`` in the body is
  the history line's, the same in a replay): deduplicate on it;
* ``Onestop-Webhook-Timestamp``: Unix seconds when it was sent;
* ``Onestop-Webhook-Signature``: ``v1=<hex>``, the HMAC-SHA256, keyed with the subscription's
  secret, of ``<timestamp>.<body>`` (the timestamp's digits, a dot, the body's exact bytes).

A receiver recomputes the HMAC over the bytes it received, compares in constant time, and refuses
a timestamp far from its clock (five minutes, say) so that a captured delivery cannot be replayed
later by someone else. ``verify`` is that check.
"""
import hashlib
import hmac
import time

ID_HEADER = "Onestop-Webhook-Id"
TIMESTAMP_HEADER = "Onestop-Webhook-Timestamp"
SIGNATURE_HEADER = "Onestop-Webhook-Signature"
EVENT_HEADER = "Onestop-Webhook-Event"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300,
           now: float | None = None) -> bool:
    """What a receiver does: True when the signature is ours and the timestamp recent."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body), header or "")
