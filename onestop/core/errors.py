"""The one error a verb raises when it cannot be done."""


class OperationError(Exception):
    """The verb cannot be done; ``str(exc)`` is the reason for the user, in the request's language.

    What a verb writes down (event notes, notifications) stays in Vietnamese: it is the record."""
