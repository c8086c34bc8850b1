"""Tracebacks without exception messages, for every log counterapp writes (the server's and the counter's):
an exception's text may echo an input — a citizen's name, a CCCD number — while its type, its stable code and
its frames say where it happened, which is what IT and the developers need."""

from __future__ import annotations

import traceback


def redacted_traceback(exc: BaseException) -> str:
    """The frames of ``exc`` and of its causes, with each exception's type but not its message."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    parts: list[str] = []
    for error in reversed(chain):
        parts.extend(traceback.format_tb(error.__traceback__))
        code = getattr(error, "code", None)  # a DomainError's stable code is safe and says what went wrong
        suffix = f" [{code}]" if isinstance(code, str) else ""
        parts.append(f"{type(error).__module__}.{type(error).__qualname__}{suffix} (message withheld)\n")
    return "".join(parts).rstrip("\n")
