"""``KEPTN_CONTEXT``, validated and typed, as in the TS SDK's ``context.ts``.

The lifecycle-operator always writes ``workloadName``, ``appName``, ``appVersion``,
``workloadVersion`` (``""`` when unknown), ``taskType`` and ``objectType``; ``metadata`` (a string
map, omitted when empty) carries ``traceparent`` and the user's app and workload metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ._json import MISSING, kind_of, parse_json, zod_kind
from .errors import ConfigIssue
from .masking import js_trim
from .trace_context import TraceContext, parse_traceparent

SOURCE = "KEPTN_CONTEXT"

#: The phases a task runs in.
# "" is what a hand-made KeptnTask (as in Keptn's docs) leaves in taskType and objectType.
TASK_TYPES: Tuple[str, ...] = ("pre", "post", "promotion", "")
#: The kinds of object a task belongs to. Keptn sends ``App``, never ``Application``.
OBJECT_TYPES: Tuple[str, ...] = ("App", "Workload", "")

# Python attribute -> KEPTN_CONTEXT key, for the four string keys.
_STRING_KEYS = (
    ("workload_name", "workloadName"),
    ("app_name", "appName"),
    ("app_version", "appVersion"),
    ("workload_version", "workloadVersion"),
)


@dataclass(frozen=True)
class TaskContext:
    """The task's context: ``KEPTN_CONTEXT`` validated, with its trace context parsed.

    Attributes:
        provided: ``True`` when ``KEPTN_CONTEXT`` was set; ``False`` in a local run, where every
            string is ``""``, ``metadata`` and ``raw`` are empty and ``trace`` is ``None``.
        workload_name: ``workloadName``.
        app_name: ``appName``.
        app_version: ``appVersion`` (``""`` for workload tasks).
        workload_version: ``workloadVersion``.
        task_type: ``pre``, ``post`` or ``promotion``.
        object_type: ``App`` or ``Workload``.
        metadata: The string map ``metadata`` (``{}`` when omitted).
        trace: The parsed ``traceparent`` (from ``metadata``, where the operator puts it, else
            the top level, where Keptn's docs show it); ``None`` when absent or invalid.
        raw: The whole JSON object with its original camelCase keys, unknown keys included.
    """

    provided: bool = False
    workload_name: str = ""
    app_name: str = ""
    app_version: str = ""
    workload_version: str = ""
    task_type: str = ""
    object_type: str = ""
    metadata: Dict[str, str] = field(default_factory=dict)
    trace: Optional[TraceContext] = None
    raw: Dict[str, Any] = field(default_factory=dict)


def parse_context(raw: Optional[str]) -> Tuple[TaskContext, List[ConfigIssue]]:
    """Parses and validates a ``KEPTN_CONTEXT`` value.

    Args:
        raw: The variable's value; ``None`` or blank gives the empty, not-provided context.

    Returns:
        The context and the issues found (every invalid field; the context is empty then).

    Example:
        >>> context, issues = parse_context(os.environ.get("KEPTN_CONTEXT"))
    """
    if raw is None or js_trim(raw) == "":
        return TaskContext(), []
    ok, value = parse_json(raw, SOURCE)
    if not ok:
        return TaskContext(), [value]
    if not isinstance(value, dict):
        return TaskContext(), [
            ConfigIssue(SOURCE, "", f"expected a JSON object, received {kind_of(value)}")
        ]

    issues: List[ConfigIssue] = []
    strings: Dict[str, str] = {}
    for attribute, key in _STRING_KEYS:
        entry = value.get(key, "")
        if isinstance(entry, str):
            strings[attribute] = entry
        else:
            issues.append(_invalid(key, "string", entry))

    task_type = value.get("taskType", MISSING)
    if task_type not in TASK_TYPES:
        issues.append(
            ConfigIssue(
                SOURCE,
                "taskType",
                'expected "pre", "post" or "promotion" ("" for a hand-made KeptnTask)',
            )
        )
    object_type = value.get("objectType", MISSING)
    if object_type not in OBJECT_TYPES:
        hint = (
            ': Keptn sends "App" for applications, not "Application"'
            if object_type == "Application"
            else ' ("" for a hand-made KeptnTask)'
        )
        issues.append(ConfigIssue(SOURCE, "objectType", f'expected "App" or "Workload"{hint}'))

    metadata: Dict[str, str] = {}
    entries = value.get("metadata", {})
    if isinstance(entries, dict):
        for key, entry in entries.items():
            if isinstance(entry, str):
                metadata[key] = entry
            else:
                issues.append(_invalid(f"metadata.{key}", "string", entry))
    else:
        issues.append(_invalid("metadata", "record", entries))

    top_traceparent = value.get("traceparent", MISSING)
    if top_traceparent is not MISSING and not isinstance(top_traceparent, str):
        issues.append(_invalid("traceparent", "string", top_traceparent))

    if issues:
        return TaskContext(), issues
    # The operator puts traceparent in metadata; Keptn's docs show it at the top level.
    traceparent = metadata.get("traceparent", top_traceparent)
    return (
        TaskContext(
            provided=True,
            task_type=task_type,
            object_type=object_type,
            metadata=metadata,
            trace=None if traceparent is MISSING else parse_traceparent(traceparent),
            raw=value,
            **strings,
        ),
        [],
    )


def _invalid(path: str, expected: str, received: Any) -> ConfigIssue:
    return ConfigIssue(
        SOURCE, path, f"Invalid input: expected {expected}, received {zod_kind(received)}"
    )
