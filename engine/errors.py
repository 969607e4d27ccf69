"""The one error type a user's bad input raises: it names where the problem is and why."""


class SpecError(ValueError):
    """A project, file or setting is invalid; `path` says where, `reason` says why."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)
