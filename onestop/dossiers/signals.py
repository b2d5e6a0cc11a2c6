"""What the dossier's verbs announce, for the features that react to them without the verbs
importing the features (as Flask's own signals are, with blinker).

* ``received``: a dossier was logged (``receive_dossier``); ``actor`` (the clerk).
* ``moving``: an action is about to be fired (``perform_action``, after the door's checks);
  ``actor`` (None: the system), ``action``, ``source`` and ``target`` (the steps). A receiver may
  refuse the move by raising ``OperationError`` (fees still unpaid at the return, a signed result
  not uploaded before the signature): nothing has been written then.
* ``moved``: the action was fired and the history line written; ``actor``, ``action``,
  ``source``, ``target`` and ``event``.
* ``event_written``: any line of a dossier's history was added (``operations.log``: a receipt, a
  move, a stay such as an assignment or an extension); ``event``, with the dossier in its new state.
  The webhooks subscribe here.

Receivers run in the verb's transaction and flush, never commit, as verbs do; what they write
commits or rolls back with the move.
"""
from blinker import Namespace

_signals = Namespace()

event_written = _signals.signal("dossier-event-written")
received = _signals.signal("dossier-received")
moving = _signals.signal("dossier-moving")
moved = _signals.signal("dossier-moved")
