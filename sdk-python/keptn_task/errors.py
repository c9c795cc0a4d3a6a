"""The error family of ``keptn_task``, mirroring the TypeScript SDK's ``errors.ts``.

Every error raised on purpose is a :class:`KeptnTaskError` with a stable ``code`` and the exit
code that stands for it (sysexits.h where one fits). Messages never carry a secret value.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, NamedTuple

#: Exit codes per error code, as documented in the project README and in the TS SDK's
#: ``EXIT_CODES`` (``test/vectors/exit-codes.json`` holds both to the same table). A task's own
#: exit code is passed through unchanged by the runners.
EXIT_CODES: Dict[str, int] = {
    # The task failed (also the default of fail()).
    "KEPTN_TASK_ERROR": 1,
    # A manifest (YAML / KeptnTaskDefinition) is invalid: EX_DATAERR.
    "MANIFEST_INVALID": 65,
    # The task code could not be found: EX_NOINPUT.
    "CODE_UNRESOLVED": 66,
    # The task code could not be fetched from its httpRef URL: EX_UNAVAILABLE.
    "FETCH_FAILED": 69,
    # A command was called wrongly (unknown runtime, bad flag): EX_USAGE.
    "USAGE_INVALID": 64,
    # KEPTN_CONTEXT, DATA, SECURE_DATA or KEPTN_TASK_DEADLINE is invalid: EX_CONFIG.
    "CONFIG_INVALID": 78,
    # The interpreter cannot be started, as a shell's "command not found".
    "RUNTIME_MISSING": 127,
    # A bug in the runner or the command itself, not in the task or its input: EX_SOFTWARE.
    "INTERNAL_ERROR": 70,
}


class KeptnTaskError(Exception):
    """Base class of every error ``keptn_task`` raises on purpose.

    Attributes:
        code: A stable, machine-readable code (a key of :data:`EXIT_CODES`).
        exit_code: The process exit code that stands for this error.

    Example:
        >>> try:
        ...     t = task()
        ... except KeptnTaskError as error:
        ...     sys.exit(error.exit_code)
    """

    message: str
    code: str
    exit_code: int

    def __init__(self, message: str, code: str = "KEPTN_TASK_ERROR") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.exit_code = EXIT_CODES.get(code, 1)


class ConfigIssue(NamedTuple):
    """One invalid field of the task environment: a ``(source, path, message)`` tuple.

    Attributes:
        source: The environment variable (or option) holding the field: ``KEPTN_CONTEXT``,
            ``DATA``, ``SECURE_DATA``, ``KEPTN_TASK_DEADLINE``, ``KEPTN_TASK_LOG_LEVEL`` or
            ``options``.
        path: The field's dot-separated path inside that value; ``""`` for the whole value.
        message: What was expected and how to fix it. Never holds a secret value.
    """

    source: str
    path: str
    message: str


class ConfigError(KeptnTaskError):
    """The task environment is invalid. Lists every invalid field at once (exit code 78).

    Attributes:
        issues: Every invalid field, in the order found.

    Example:
        >>> try:
        ...     t = task()
        ... except ConfigError as error:
        ...     for source, path, message in error.issues:
        ...         print(source, path, message)
        ...     sys.exit(error.exit_code)
    """

    issues: List[ConfigIssue]

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues = [ConfigIssue(*issue) for issue in issues]
        # Imported here: masking has no dependency on errors, and errors stay importable alone.
        from .masking import mask_secrets

        super().__init__(mask_secrets(format_issues(self.issues)), "CONFIG_INVALID")


def format_issues(issues: Iterable[ConfigIssue]) -> str:
    """Formats issues as one line: ``Invalid task environment: DATA.port: ...; ...``."""
    parts = []
    for issue in issues:
        where = issue.source if issue.path == "" else f"{issue.source}.{issue.path}"
        parts.append(f"{where}: {issue.message}")
    return "Invalid task environment: " + "; ".join(parts)
