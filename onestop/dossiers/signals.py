"""What the door announces, for the features that react to a dossier's moves.

``event_written`` is sent (``blinker``, as Flask's own signals are) by ``operations.log`` each time a
line of a dossier's history is added: a receipt, a move, a stay (an assignment, an extension…). The
sender is the dossier and ``event`` the new ``DossierEvent``, with the dossier already in its new
state. Receivers run inside the verb's transaction, before its flush: what they write commits or
rolls back with the verb, and they must not commit. The webhooks package subscribes here, so the
door never imports it.
"""
from blinker import Namespace

_signals = Namespace()

event_written = _signals.signal("dossier-event-written")
