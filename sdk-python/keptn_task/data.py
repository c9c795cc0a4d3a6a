"""``DATA``: the flat string map of ``spec.<runtime>.parameters.map``, as in the TS SDK's
``data.ts``, optionally coerced into typed values by a schema.

A schema is either a dict mapping each key to ``str``, ``int``, ``float`` or ``bool`` (every key
required), or a dataclass whose fields are annotated with those types (``Optional[...]`` allowed;
defaults honoured). Keys the schema does not name are left out of the typed value.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import sys
import types
import typing
from typing import Any, Dict, List, Optional, Tuple, Type, TypeVar, Union, overload

from ._json import MISSING, kind_of, parse_json, zod_kind
from .errors import ConfigIssue
from .masking import js_trim

SOURCE = "DATA"

#: A ``data_schema``: a dict of key -> type, or a dataclass type.
DataSchema = Union[Dict[str, type], type]
#: The dataclass a ``data_schema`` names, so the typed value is an instance of it.
DataT = TypeVar("DataT")

_SCALARS = (str, int, float, bool)
# Zod's names for the types, so messages read the same as the TS SDK's.
_EXPECTED = {str: "string", int: "number", float: "number", bool: "boolean"}
# The numbers the TS SDK coerces (ASCII digits only: "٣" stays a string there too).
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
# What zod's int() accepts: JavaScript's safe integers.
_MAX_SAFE_INTEGER = 2**53 - 1

if sys.version_info >= (3, 10):
    _UNION_TYPES: Tuple[Any, ...] = (Union, types.UnionType)
else:
    _UNION_TYPES = (Union,)


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    kind: type
    optional: bool
    default: Any  # MISSING when the field is required


# Typed per schema: no schema gives the string map, a dataclass gives an instance of it.
@overload
def parse_data(
    raw: Optional[str], schema: None = None
) -> Tuple[Dict[str, str], List[ConfigIssue]]: ...
@overload
def parse_data(
    raw: Optional[str], schema: Type[DataT]
) -> Tuple[Optional[DataT], List[ConfigIssue]]: ...
@overload
def parse_data(
    raw: Optional[str], schema: Dict[str, type]
) -> Tuple[Optional[Dict[str, Any]], List[ConfigIssue]]: ...
def parse_data(
    raw: Optional[str], schema: Optional[DataSchema] = None
) -> Tuple[Any, List[ConfigIssue]]:
    """Parses ``DATA``: a JSON object of string values (Keptn omits the variable when there are
    no parameters, which gives ``{}``).

    Args:
        raw: The variable's value.
        schema: Optional dict of key -> ``str``/``int``/``float``/``bool``, or a dataclass type.

    Returns:
        The value (a dict, or an instance of the dataclass) and every issue found; when there
        are issues, the value is not usable (``{}`` or ``None``).

    Raises:
        TypeError: The schema itself is unusable (a programming error, not a configuration one).

    Example:
        >>> parse_data('{"port":"8080"}', {"port": int})
        ({'port': 8080}, [])
    """
    fields = None if schema is None else _schema_fields(schema)
    values, issues = _parse_string_map(raw)
    if issues or fields is None:
        return (values if not issues else {}), issues

    typed: Dict[str, Any] = {}
    for spec in fields:
        entry = values.get(spec.name)
        # An empty value (--data key=) of a field with a default takes the default, and leaves
        # out an optional field (its default None) unless it is a string, as the TS SDK does.
        if entry == "" and spec.default is not MISSING:
            if not (spec.kind is str and spec.optional and spec.default is None):
                entry = None
        if entry is None:
            if spec.default is not MISSING:
                typed[spec.name] = spec.default() if callable(spec.default) else spec.default
            elif spec.optional:
                typed[spec.name] = None
            else:
                issues.append(_invalid(spec.name, _EXPECTED[spec.kind], MISSING))
            continue
        try:
            typed[spec.name] = _coerce(entry, spec.kind)
        except _Mismatch as mismatch:
            issues.append(_invalid(spec.name, mismatch.expected, entry))
        except _Issue as issue:
            issues.append(ConfigIssue(SOURCE, spec.name, f"{issue}, received {_quote(entry)}"))
    if issues:
        return None, issues
    if schema is None or isinstance(schema, dict):
        return typed, []
    return schema(**typed), []


def _parse_string_map(raw: Optional[str]) -> Tuple[Dict[str, str], List[ConfigIssue]]:
    if raw is None or js_trim(raw) == "":
        return {}, []
    ok, parsed = parse_json(raw, SOURCE)
    if not ok:
        return {}, [parsed]
    if not isinstance(parsed, dict):
        message = (
            "expected a JSON object of string values (parameters.map), "
            f"received {kind_of(parsed)}"
        )
        return {}, [ConfigIssue(SOURCE, "", message)]
    issues: List[ConfigIssue] = []
    values: Dict[str, str] = {}
    for key, entry in parsed.items():
        if isinstance(entry, str):
            values[key] = entry
        elif isinstance(entry, (dict, list)):
            issues.append(
                ConfigIssue(
                    SOURCE,
                    key,
                    "nested maps are not supported by Keptn: use a flat map of strings "
                    "(JSON-encode the value if needed)",
                )
            )
        else:
            issues.append(
                ConfigIssue(
                    SOURCE,
                    key,
                    f"expected a string, received {kind_of(entry)}: Keptn passes every "
                    "parameter as a string, so quote the value",
                )
            )
    return values, issues


class _Mismatch(Exception):
    def __init__(self, expected: str, received: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.received = received


def _coerce(text: str, kind: type) -> Any:
    """Converts one of Keptn's strings to ``kind`` the way the TS SDK coerces for zod: a number
    is read as JavaScript's ``Number(text)`` reads it (a float), an ``int`` must then be a safe
    integer as zod's ``int()`` wants."""
    if kind is str:
        return text
    if kind is bool:
        lower = js_trim(text).lower()
        if lower in ("true", "false"):
            return lower == "true"
        raise _Mismatch("boolean", text)
    stripped = js_trim(text)
    if not _NUMBER.fullmatch(stripped):
        raise _Mismatch("number", text)
    number = float(stripped)
    if not math.isfinite(number):
        raise _Mismatch("number", text)
    if kind is float:
        return number
    if not number.is_integer():
        raise _Mismatch("int", number)
    if number > _MAX_SAFE_INTEGER:
        raise _Issue(f"Too big: expected int to be <={_MAX_SAFE_INTEGER}")
    if number < -_MAX_SAFE_INTEGER:
        raise _Issue(f"Too small: expected int to be >=-{_MAX_SAFE_INTEGER}")
    return int(number)


class _Issue(Exception):
    """A value of the right type that a check rejects, with zod's message."""


#: The longest part of a value an issue quotes, in characters.
_QUOTE_MAX = 64


def _quote(value: str) -> str:
    """A parameter's value as an issue quotes it (``DATA`` holds no secret): JSON-quoted, cut
    after 64 characters, as the TS SDK's ``quoteReceived``."""
    cut = value if len(value) <= _QUOTE_MAX else value[:_QUOTE_MAX] + "\u2026"
    return json.dumps(cut, ensure_ascii=False)


def _invalid(path: str, expected: str, received: Any) -> ConfigIssue:
    """zod's message for a value of the wrong kind; a value that was given is quoted in place
    of its kind."""
    shown = zod_kind(received) if received is MISSING else _quote(received)
    return ConfigIssue(SOURCE, path, f"Invalid input: expected {expected}, received {shown}")


def _schema_fields(schema: DataSchema) -> List[_Field]:
    if isinstance(schema, dict):
        return [_field(str(name), kind, MISSING) for name, kind in schema.items()]
    if isinstance(schema, type) and dataclasses.is_dataclass(schema):
        hints = typing.get_type_hints(schema)
        fields = []
        for item in dataclasses.fields(schema):
            if not item.init:
                continue
            default: Any = MISSING
            if item.default is not dataclasses.MISSING:
                default = _constant(item.default)
            elif item.default_factory is not dataclasses.MISSING:
                default = item.default_factory
            fields.append(_field(item.name, hints.get(item.name, item.type), default))
        return fields
    raise TypeError(
        "Cannot use data_schema: expected a dict of key -> type or a dataclass type, "
        f"received {type(schema).__name__}"
    )


def _constant(value: Any) -> Any:
    # Defaults are stored as factories or plain values; wrap callables so they are not called.
    return (lambda: value) if callable(value) else value


def _field(name: str, annotation: Any, default: Any) -> _Field:
    optional = False
    if typing.get_origin(annotation) in _UNION_TYPES:
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        if len(members) == 1:
            annotation = members[0]
    if annotation not in _SCALARS:
        raise TypeError(
            f'Cannot use data_schema field "{name}": expected str, int, float or bool '
            f"(or Optional of one), received {annotation!r}"
        )
    return _Field(name, annotation, optional, default)
