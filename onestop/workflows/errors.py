"""The error of a wrong procedure file, shared by the loader and its checks."""


class DefinitionError(ValueError):
    """A procedure file is wrong: says which file, which field and why."""

    def __init__(self, source: str, field_name: str, reason: str):
        self.source, self.field, self.reason = source, field_name, reason
        super().__init__(f"{source}: {field_name}: {reason}")
