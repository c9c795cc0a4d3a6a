"""W3C Trace Context (``traceparent``) parsing, as in the TS SDK's ``trace-context.ts``.

Format: ``version-traceid-parentid-flags``, e.g.
``00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Optional

from .masking import js_trim

# As the TS SDK's pattern: JavaScript's "." stops at every line terminator, Python's only at \n.
_TRACEPARENT = re.compile(
    "([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\n\r\u2028\u2029]*)?"
)
_ALL_ZERO = re.compile(r"0+")


@dataclass(frozen=True)
class TraceContext:
    """A parsed ``traceparent`` header.

    Attributes:
        version: Two lowercase hex digits; ``00`` today.
        trace_id: 32 lowercase hex digits, not all zero.
        parent_id: 16 lowercase hex digits, not all zero: the span that started this task.
        flags: Two lowercase hex digits of trace flags.
        sampled: Whether the ``sampled`` flag is set.
        traceparent: The header as received (trimmed).
    """

    version: str
    trace_id: str
    parent_id: str
    flags: str
    sampled: bool
    traceparent: str

    def child_traceparent(self) -> str:
        """A ``traceparent`` for a new span that is a child of this one: same trace id and
        flags, a fresh random span id. Send it with outgoing requests.

        Example:
            >>> headers["traceparent"] = t.context.trace.child_traceparent()
        """
        span_id = "0" * 16
        while _ALL_ZERO.fullmatch(span_id):
            span_id = secrets.token_hex(8)
        return f"00-{self.trace_id}-{span_id}-{self.flags}"


def parse_traceparent(value: str) -> Optional[TraceContext]:
    """Parses a W3C ``traceparent`` value.

    Args:
        value: The header value.

    Returns:
        The trace context, or ``None`` when the value is not a valid traceparent (tracing must
        never fail a task).

    Example:
        >>> parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").sampled
        True
    """
    if not isinstance(value, str):
        return None
    text = js_trim(value)
    match = _TRACEPARENT.fullmatch(text)
    if match is None:
        return None
    version, trace_id, parent_id, flags, rest = match.groups()
    # Version ff is forbidden; version 00 has exactly four fields. Later versions may add fields.
    if version == "ff" or (version == "00" and rest is not None):
        return None
    if _ALL_ZERO.fullmatch(trace_id) or _ALL_ZERO.fullmatch(parent_id):
        return None
    return TraceContext(
        version=version,
        trace_id=trace_id,
        parent_id=parent_id,
        flags=flags,
        sampled=int(flags, 16) & 1 == 1,
        traceparent=text,
    )
