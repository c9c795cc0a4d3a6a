"""``task()``: reads the task environment once and returns what task code works with, as the
TS SDK's ``task.ts`` does.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Dict, Generic, List, Mapping, NoReturn, Optional, TextIO, Type, overload

from .context import TaskContext, parse_context
from .data import DataSchema, DataT, parse_data
from .errors import ConfigError, ConfigIssue
from .logger import LEVELS, create_logger
from .masking import default_secrets
from .secure_data import parse_secure_data
from .termination_log import DEFAULT_TERMINATION_LOG, write_termination_log

#: Environment variables ``task()`` reads.
TASK_ENV_VARS = ("KEPTN_CONTEXT", "DATA", "SECURE_DATA", "KEPTN_TASK_LOG_LEVEL")

#: The exit code of a task ended by SIGTERM (128 + 15), as a shell reports it.
SIGTERM_EXIT_CODE = 143
#: The exit code of a task ended by SIGINT (128 + 2), as a shell reports it.
SIGINT_EXIT_CODE = 130

_LEVEL_LIST = "fatal, error, warn, info, debug, trace, silent"


class _ExitState:
    """Whether the task chose its exit code through ``fail()`` / ``succeed()``."""

    explicit = False


@dataclass(frozen=True)
class Task(Generic[DataT]):
    """What task code works with. Frozen; built by :func:`task`. Generic over the type of
    ``data``: ``Task[Dict[str, str]]`` without a ``data_schema``, ``Task[Params]`` with the
    dataclass ``Params``, ``Task[Dict[str, Any]]`` with a dict schema.

    Attributes:
        context: ``KEPTN_CONTEXT``, validated; ``context.provided`` is ``False`` in a local run.
        data: ``DATA`` as a dict of strings, or the ``data_schema``'s typed value.
        secure_data: ``SECURE_DATA`` as the raw string (``None`` when unset), or its parsed JSON
            with ``secure_json=True``. Masked in every log line; left out of ``repr()``.
        log: A ``logging.Logger`` writing JSON lines to stdout with every secret masked.
        stopping: Set on SIGTERM or SIGINT when ``handle_signals=True``; wait on it instead of sleeping.
        termination_log_path: Where ``fail()`` and ``succeed()`` write their message.
    """

    context: TaskContext
    data: DataT
    # A str (None when unset), or JSON of any shape with secure_json=True.
    secure_data: Any = field(repr=False)
    log: logging.Logger = field(repr=False)
    stopping: threading.Event = field(repr=False)
    termination_log_path: str = DEFAULT_TERMINATION_LOG

    def fail(self, message: str, exit_code: int = 1) -> NoReturn:
        """Logs ``message`` at error level, writes it (masked) to the termination log when that
        file exists, and exits with ``exit_code`` (1 to 255; anything else gives 1).

        Exits with ``SystemExit``: call it from the main thread.

        Example:
            >>> t.fail(f'Health check of "{url}" failed: HTTP {status}', exit_code=2)
        """
        valid = isinstance(exit_code, int) and not isinstance(exit_code, bool)
        code = exit_code if valid and 1 <= exit_code <= 255 else 1
        self.log.error(message, extra={"exitCode": code})
        write_termination_log(default_secrets.mask(message), self.termination_log_path)
        _ExitState.explicit = True
        sys.exit(code)

    def succeed(self, message: Optional[str] = None) -> NoReturn:
        """Logs ``message`` (when given), writes it (masked) to the termination log when that
        file exists, and exits 0. Exits with ``SystemExit``: call it from the main thread.

        Example:
            >>> t.succeed("All checks passed")
        """
        if message is not None:
            self.log.info(message)
            write_termination_log(default_secrets.mask(message), self.termination_log_path)
        _ExitState.explicit = True
        sys.exit(0)


# The Task's data type follows data_schema: see Task.
@overload
def task(
    env: Optional[Mapping[str, str]] = None,
    data_schema: None = None,
    secure_json: bool = False,
    *,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = False,
    signal_grace_seconds: float = 10.0,
) -> Task[Dict[str, str]]: ...
@overload
def task(
    env: Optional[Mapping[str, str]] = None,
    data_schema: Type[DataT] = ...,
    secure_json: bool = False,
    *,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = False,
    signal_grace_seconds: float = 10.0,
) -> Task[DataT]: ...
@overload
def task(
    env: Optional[Mapping[str, str]] = None,
    data_schema: Dict[str, type] = ...,
    secure_json: bool = False,
    *,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = False,
    signal_grace_seconds: float = 10.0,
) -> Task[Dict[str, Any]]: ...
def task(
    env: Optional[Mapping[str, str]] = None,
    data_schema: Optional[DataSchema] = None,
    secure_json: bool = False,
    *,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = False,
    signal_grace_seconds: float = 10.0,
) -> Task[Any]:
    """Reads the task environment once and returns the typed context, parameters and secret,
    a logger that never prints a secret, and ``fail`` / ``succeed``.

    Args:
        env: The environment to read (default: ``os.environ``); tests pass a plain dict.
        data_schema: Types for ``DATA``: a dict of key -> ``str``/``int``/``float``/``bool``, or
            a dataclass type; Keptn's strings are coerced (``"8080"`` -> 8080, ``"true"`` ->
            True) and missing keys without a default are errors.
        secure_json: Parse ``SECURE_DATA`` as JSON (it must then be set).
        log_level: ``trace``, ``debug``, ``info``, ``warn``, ``error``, ``fatal`` or ``silent``
            (default ``KEPTN_TASK_LOG_LEVEL``, else ``info``).
        log_stream: Where log lines go (default: standard output).
        termination_log_path: The termination log (default ``/dev/termination-log``).
        handle_signals: On the first SIGTERM or SIGINT set ``stopping`` instead of dying at
            once (SIGINT raises no ``KeyboardInterrupt``); the process then exits 143 (SIGTERM)
            or 130 (SIGINT) when it ends by itself (unless it calls ``fail()`` or
            ``succeed()``), at the latest after ``signal_grace_seconds``; a second signal ends
            it at once. Without it, Python's default applies: SIGTERM ends the process.
        signal_grace_seconds: How long the task has to wind down after SIGTERM or SIGINT.

    Returns:
        A frozen :class:`Task`, its ``data`` typed by ``data_schema``.

    Raises:
        ConfigError: Listing every invalid field of ``KEPTN_CONTEXT``, ``DATA``,
            ``SECURE_DATA`` (exit code 78 by convention: ``sys.exit(error.exit_code)``).
        TypeError: ``data_schema`` is not usable.

    Example:
        >>> from keptn_task import task
        >>> t = task(data_schema={"url": str, "retries": int})
        >>> t.log.info("Checking %s", t.data["url"])
        >>> t.succeed("Healthy")
    """
    source: Mapping[str, str] = os.environ if env is None else env

    # The secret is registered first, so nothing below (not even an error) can print it.
    secure_data, secure_issues = parse_secure_data(source.get("SECURE_DATA"), secure_json)
    context, context_issues = parse_context(source.get("KEPTN_CONTEXT"))
    data, data_issues = parse_data(source.get("DATA"), data_schema)
    issues: List[ConfigIssue] = [*context_issues, *data_issues, *secure_issues]

    level = log_level if log_level is not None else source.get("KEPTN_TASK_LOG_LEVEL", "info")
    if level not in LEVELS:
        origin = ("options", "log_level") if log_level is not None else ("KEPTN_TASK_LOG_LEVEL", "")
        issues.append(ConfigIssue(*origin, f'expected one of {_LEVEL_LIST}, received "{level}"'))
    if issues:
        raise ConfigError(issues)

    log = create_logger(
        {
            "app": context.app_name,
            "workload": context.workload_name,
            "version": context.workload_version or context.app_version,
            "taskType": context.task_type,
            "traceId": context.trace.trace_id if context.trace is not None else "",
        },
        level=level,
        stream=log_stream,
    )
    stopping = threading.Event()
    if handle_signals:
        _handle_sigterm(stopping, log, signal_grace_seconds)
    return Task(
        context=context,
        data=data,
        secure_data=secure_data,
        log=log,
        stopping=stopping,
        termination_log_path=termination_log_path,
    )


def _handle_sigterm(stopping: threading.Event, log: logging.Logger, grace_seconds: float) -> None:
    # A Python signal handler runs between two bytecodes of the main thread, which may hold the
    # lock of stdout or of the Event's condition at that moment: taking either there can fail
    # ("reentrant call") or deadlock. So the handler only writes a byte to a pipe; a watcher
    # thread sets `stopping`, logs, and ends the process when the grace period is over.
    # SIGTERM and SIGINT alike, as the TypeScript SDK: the first signal decides the exit code.
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    received: List[int] = []
    exit_codes = {signal.SIGTERM: SIGTERM_EXIT_CODE, signal.SIGINT: SIGINT_EXIT_CODE}

    def exit_code() -> int:
        return exit_codes.get(signal.Signals(received[0]), SIGTERM_EXIT_CODE)

    def on_signal(signum: int, _frame: Optional[FrameType]) -> None:
        if received:
            _exit_now(exit_code())
        received.append(signum)
        try:
            os.write(write_fd, b"\0")
        except OSError:  # the pipe holds a byte already
            pass

    def watch() -> None:
        os.read(read_fd, 1)
        name = signal.Signals(received[0]).name
        # Logged before `stopping` is set, so a task that ends as soon as it sees it cannot
        # cut the line off.
        log.warning(
            f"Received {name}: task.stopping is set",
            extra={"signal": name, "graceSeconds": grace_seconds},
        )
        stopping.set()
        time.sleep(grace_seconds)
        _exit_now(exit_code())

    def on_exit() -> None:
        # A task that just returns after a signal must not be reported as a success.
        if received and not _ExitState.explicit:
            stopping.wait(1.0)  # let the watcher finish its log line
            _exit_now(exit_code())

    try:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    except ValueError as error:
        os.close(read_fd)
        os.close(write_fd)
        raise ValueError(
            "Cannot handle SIGTERM: call task(handle_signals=True) from the main thread"
        ) from error
    threading.Thread(target=watch, name="keptn_task-sigterm", daemon=True).start()
    atexit.register(on_exit)


def _exit_now(code: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed stream must not keep the process alive
            pass
    os._exit(code)
