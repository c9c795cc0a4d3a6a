"""Strict JSON parsing with issues instead of exceptions (the TS SDK's ``issues.ts``)."""

from __future__ import annotations

import json
from typing import Any, Tuple, Union

from .errors import ConfigIssue

SECRET_DETAIL = "the value is secret, so it is not shown: check the Secret's key SECURE_DATA"


def reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; JavaScript's JSON.parse rejects them too.
    raise ValueError(f"{name} is not valid JSON")


def loads(raw: str) -> Any:
    """``json.loads`` that rejects ``NaN``, ``Infinity`` and ``-Infinity`` like ``JSON.parse``."""
    return json.loads(raw, parse_constant=reject_constant)


def parse_json(raw: str, source: str, secret: bool = False) -> Tuple[bool, Union[Any, ConfigIssue]]:
    """Parses ``raw``; returns ``(True, value)`` or ``(False, issue)``.

    With ``secret``, the parser's message is left out: it may quote the input.
    """
    try:
        return True, loads(raw)
    except ValueError as error:
        detail = SECRET_DETAIL if secret else _describe(error)
        return False, ConfigIssue(source, "", f"is not valid JSON: {detail}")
    except RecursionError:
        # Python's json module recurses per level of nesting; JavaScript's JSON.parse does not.
        detail = SECRET_DETAIL if secret else "nested too deeply for Python's json module"
        return False, ConfigIssue(source, "", f"is not valid JSON: {detail}")


def _describe(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    return str(error)


def kind_of(value: Any) -> str:
    """A short name of a JSON value's kind, for messages: ``a number``, ``an array``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def zod_kind(value: Any) -> str:
    """The kind as the TS SDK's schema messages name it: ``number``, ``array``, ``undefined``."""
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: Marks an absent key (JavaScript's ``undefined``).
MISSING: Any = _Missing()
