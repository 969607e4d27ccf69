"""The one error type a user's bad input raises: it names where the problem is and why."""

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(text: str) -> str:
    """Control characters (a key named "\\n" in a hostile file) shown escaped: messages stay one line."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], str(text))


def _capped(text: str, limit: int) -> str:
    """A message part cut to `limit` characters: a 300,000-item list quoted back is no message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class SpecError(ValueError):
    """A project, file or setting is invalid; `path` says where, `reason` says why."""

    def __init__(self, path: str, reason: str):
        self.path = _capped(_one_line(path), 200)
        self.reason = _capped(_one_line(reason), 500)
        super().__init__(f"{self.path}: {self.reason}" if self.path else self.reason)
