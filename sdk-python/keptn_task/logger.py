"""The task logger: JSON lines on standard output in which every registered secret is masked,
shaped like the TS SDK's pino lines (``level``, ``time``, bound fields, extra fields, ``msg``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any, Dict, Mapping, Optional, TextIO

from .masking import SecretRegistry, default_secrets

#: Log level names (pino's, as the TS SDK uses) and the ``logging`` levels they stand for.
LEVELS: Dict[str, int] = {
    "trace": 5,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "fatal": logging.CRITICAL,
    "silent": logging.CRITICAL + 10,
}

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)).keys()
) | {"message", "asctime", "taskName"}


def level_name(level: int) -> str:
    """The pino name of a ``logging`` level: ``warn`` for WARNING, ``fatal`` for CRITICAL."""
    if level >= logging.CRITICAL:
        return "fatal"
    if level >= logging.ERROR:
        return "error"
    if level >= logging.WARNING:
        return "warn"
    if level >= logging.INFO:
        return "info"
    if level >= logging.DEBUG:
        return "debug"
    return "trace"


class MaskingFilter(logging.Filter):
    """Masks registered secrets in a record's message, exception and stack text, so any
    handler or formatter downstream sees them masked. Add it to your own handlers too.

    Example:
        >>> logging.getLogger().handlers[0].addFilter(MaskingFilter())
    """

    secrets: SecretRegistry

    def __init__(self, secrets: SecretRegistry = default_secrets) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad format arguments: keep the template, masked, without the args
            message = str(record.msg)
        record.msg = self.secrets.mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.secrets.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.secrets.mask(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line with registered secrets masked in every field (bound
    fields, ``extra=`` fields and exceptions included), then in the whole line. A number,
    boolean or ``null`` holding a secret becomes the string ``"***"``, so the line stays JSON.

    Args:
        bindings: Fields added to every line; empty values are left out.
        secrets: Registry whose secrets are masked.
    """

    bindings: Dict[str, str]
    secrets: SecretRegistry

    def __init__(
        self, bindings: Optional[Mapping[str, str]] = None, secrets: SecretRegistry = default_secrets
    ) -> None:
        super().__init__()
        self.bindings = {key: value for key, value in (bindings or {}).items() if value}
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created, timezone.utc)
        line: Dict[str, Any] = {
            "level": level_name(record.levelno),
            "time": time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            **self.bindings,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            error = record.exc_info[1] if record.exc_info else None
            line["err"] = {
                "type": type(error).__name__ if error is not None else "Error",
                "message": str(error) if error is not None else "",
                "stack": record.exc_text,
            }
        if record.stack_info:
            line["stack"] = record.stack_info
        line["msg"] = record.getMessage()
        text = json.dumps(
            self.secrets.mask_json(line), ensure_ascii=False, separators=(",", ":"), default=str
        )
        # A secret that spans several JSON values is masked too, even if that breaks the JSON.
        return self.secrets.mask(text)


class _StdoutHandler(logging.Handler):
    """Writes each line to the stream (default: the current ``sys.stdout``) and flushes it, so
    lines are never lost when the task exits."""

    def __init__(self, stream: Optional[TextIO] = None) -> None:
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            stream = self.stream if self.stream is not None else sys.stdout
            stream.write(line + "\n")
            stream.flush()
        except Exception:  # a broken log destination must not end the task
            self.handleError(record)


def create_logger(
    bindings: Optional[Mapping[str, str]] = None,
    level: str = "info",
    stream: Optional[TextIO] = None,
    secrets: SecretRegistry = default_secrets,
    name: str = "keptn_task",
) -> logging.Logger:
    """A ``logging.Logger`` writing masked JSON lines to standard output.

    The logger stands alone (not in ``logging``'s tree): configuring the root logger does not
    change it, and it does not propagate to the root's handlers.

    Args:
        bindings: Fields added to every line (app, workload, version, task type, trace id).
        level: Minimum level, a key of :data:`LEVELS` (default ``info``).
        stream: Where lines go (default: standard output).
        secrets: Registry whose secrets are masked (default: the process-wide one).
        name: The logger's name.

    Example:
        >>> log = create_logger({"app": "podtato"}, level="debug")
        >>> log.info("Checking %s", url, extra={"attempt": 1})
    """
    logger = logging.Logger(name, LEVELS[level])
    logger.propagate = False
    handler = _StdoutHandler(stream)
    handler.setFormatter(JsonFormatter(bindings, secrets))
    logger.addFilter(MaskingFilter(secrets))
    logger.addHandler(handler)
    return logger
