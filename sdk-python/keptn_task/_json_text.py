"""Reading JSON text as the masker needs it: its string and number leaves (numbers as
written, and as JavaScript prints them), and the escape sequences a mask must not cut. The
Python twin of ``sdk/src/masking/json-text.ts``."""

from __future__ import annotations

import json.decoder
import math
import re
from typing import Callable, List, Optional, Tuple

# The json module's own string scanner (typeshed does not declare it).
scanstring: Callable[[str, int, bool], Tuple[str, int]] = getattr(json.decoder, "scanstring")

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null")


def json_leaves(text: str) -> Optional[List[str]]:
    """The string and number leaves of a JSON text, or ``None`` when it is not JSON.

    Numbers are taken as written (``1.50``, ``98765432109876543210``) and as JavaScript prints
    them (``1.5``, ``98765432109876540000``). A loop with an explicit stack, not recursion
    (``json.loads`` stops at about 1,000 levels): any depth.
    """
    leaves: List[str] = []
    closers: List[str] = []
    end = len(text)

    def skip(at: int) -> int:
        return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]

    def key(at: int) -> int:
        if at >= end or text[at] != '"':
            raise ValueError("expected a key")
        _, at = scanstring(text, at + 1, True)
        at = skip(at)
        if at >= end or text[at] != ":":
            raise ValueError("expected ':'")
        return skip(at + 1)

    i = skip(0)
    try:
        while True:
            # A value starts at i.
            if i >= end:
                return None
            char = text[i]
            if char in "{[":
                closer = "}" if char == "{" else "]"
                i = skip(i + 1)
                if i < end and text[i] == closer:
                    i += 1
                else:
                    closers.append(closer)
                    if closer == "}":
                        i = key(i)
                    continue
            elif char == '"':
                leaf, i = scanstring(text, i + 1, True)
                leaves.append(leaf)
            elif text.startswith(_LITERALS, i):
                i += next(len(word) for word in _LITERALS if text.startswith(word, i))
            else:
                number = _NUMBER.match(text, i)
                if number is None:
                    return None
                source = number.group()
                leaves.append(source)
                printed = js_number_string(float(source))
                if printed != source:
                    leaves.append(printed)
                i = number.end()
            # After a value: a comma and the next one, the end of containers, or the end.
            while True:
                i = skip(i)
                if not closers:
                    return leaves if i == end else None
                if i < end and text[i] == ",":
                    i = skip(i + 1)
                    if closers[-1] == "}":
                        i = key(i)
                    break
                if i < end and text[i] == closers[-1]:
                    closers.pop()
                    i += 1
                    continue
                return None
    except ValueError:
        return None


def js_number_string(number: float) -> str:
    """``String(number)`` as JavaScript writes it: the shortest digits that read back as the
    same number (as ``repr`` finds them), in JavaScript's layout (``1e+21``, ``1.5e-7``,
    ``100000``)."""
    if math.isnan(number):
        return "NaN"
    if number == 0:
        return "0"
    if number < 0:
        return "-" + js_number_string(-number)
    if math.isinf(number):
        return "Infinity"
    mantissa, _, exponent = repr(number).partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    digits = all_digits.lstrip("0")
    # number = 0.DIGITS x 10^n
    n = len(whole) + (int(exponent) if exponent else 0) - (len(all_digits) - len(digits))
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    sign = "+" if n - 1 >= 0 else "-"
    rest = "." + digits[1:] if k > 1 else ""
    return f"{digits[0]}{rest}e{sign}{abs(n - 1)}"


def _starts_escape(text: str, at: int) -> bool:
    before = 0
    while at - 1 - before >= 0 and text[at - 1 - before] == "\\":
        before += 1
    return before % 2 == 0


def _escape_length(text: str, start: int) -> int:
    return 6 if text[start + 1 : start + 2] == "u" else 2


def _escape_at(text: str, at: int) -> int:
    """The start of the JSON escape sequence that holds ``at``, or -1."""
    for j in range(at, max(-1, at - 6), -1):
        if text[j] == "\\" and _starts_escape(text, j):
            return j if j + _escape_length(text, j) > at else -1
    return -1


def _escape_start(text: str, at: int) -> int:
    start = _escape_at(text, at) if at < len(text) else -1
    return at if start == -1 else start


def _escape_end(text: str, end: int) -> int:
    start = _escape_at(text, end - 1)
    return end if start == -1 else start + _escape_length(text, start)
