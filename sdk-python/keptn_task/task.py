"""``task()``: reads the task environment once and returns what task code works with, as the
TS SDK's ``task.ts`` does.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import (
    Any,
    Dict,
    Generic,
    List,
    Mapping,
    NamedTuple,
    Literal,
    NoReturn,
    Optional,
    TextIO,
    Type,
    Union,
    overload,
)

from .context import TaskContext, parse_context
from .data import DataSchema, DataT, parse_data
from .deadline import parse_deadline
from .errors import ConfigError, ConfigIssue
from .logger import LEVELS, create_logger
from .masking import default_secrets
from .secure_data import parse_secure_data
from .termination_log import DEFAULT_TERMINATION_LOG, write_termination_log

#: Environment variables ``task()`` reads.
TASK_ENV_VARS = (
    "KEPTN_CONTEXT",
    "DATA",
    "SECURE_DATA",
    "KEPTN_TASK_DEADLINE",
    "KEPTN_TASK_LOG_LEVEL",
)

#: The exit code of a task ended by SIGTERM (128 + 15), as a shell reports it.
SIGTERM_EXIT_CODE = 143
#: The exit code of a task ended by SIGINT (128 + 2), as a shell reports it.
SIGINT_EXIT_CODE = 130

_LEVEL_LIST = "fatal, error, warn, info, debug, trace, silent"


class _ExitState:
    """Whether the task chose its exit code through ``fail()`` / ``succeed()``."""

    explicit = False


_SIGNAL_EXIT_CODES = {signal.SIGTERM: SIGTERM_EXIT_CODE, signal.SIGINT: SIGINT_EXIT_CODE}


class _Stop:
    """The termination signals received, the first one deciding how a stopped task exits."""

    def __init__(self) -> None:
        self.received: List[int] = []

    def exit_code(self) -> Optional[int]:
        """128 + the first signal's number, or ``None`` before any signal."""
        if not self.received:
            return None
        return _SIGNAL_EXIT_CODES.get(signal.Signals(self.received[0]), SIGTERM_EXIT_CODE)


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
        stopping: Set on SIGTERM or SIGINT (unless ``handle_signals=False``) and at the
            deadline; wait on it instead of sleeping.
        termination_log_path: Where ``fail()`` and ``succeed()`` write their message.
        deadline: The deadline in seconds since the epoch (as ``time.time()``), from the
            ``deadline`` option or ``KEPTN_TASK_DEADLINE``; ``None`` without one.
    """

    context: TaskContext
    data: DataT
    # A str (None when unset), or JSON of any shape with secure_json=True.
    secure_data: Any = field(repr=False)
    log: logging.Logger = field(repr=False)
    stopping: threading.Event = field(repr=False)
    termination_log_path: str = DEFAULT_TERMINATION_LOG
    deadline: Optional[float] = None
    _stop: _Stop = field(default_factory=_Stop, repr=False, compare=False)

    def remaining_seconds(self) -> float:
        """Seconds left until the deadline: ``math.inf`` without one, 0 once it has passed.

        Example:
            >>> requests.get(url, timeout=min(10, t.remaining_seconds()))
        """
        if self.deadline is None:
            return math.inf
        return max(0.0, self.deadline - time.time())

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
        file exists, and exits 0; after SIGTERM or SIGINT it exits 143 or 130 instead, because
        a stopped task did not succeed. Exits with ``SystemExit``: call it from the main thread.

        Example:
            >>> t.succeed("All checks passed")
        """
        stopped = self._stop.exit_code()
        if stopped is not None:
            self.log.warning(
                "succeed() after a termination signal: exiting as stopped",
                extra={"exitCode": stopped},
            )
            _ExitState.explicit = True
            sys.exit(stopped)
        if message is not None:
            self.log.info(message)
            write_termination_log(default_secrets.mask(message), self.termination_log_path)
        _ExitState.explicit = True
        sys.exit(0)


# The Task's data type follows data_schema (see Task): none, a dataclass, or a dict; the
# schema given by position or by keyword.
@overload
def task(
    env: Optional[Mapping[str, str]] = None,
    data_schema: None = None,
    secure_json: bool = False,
    *,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = True,
    signal_grace_seconds: float = 10.0,
    deadline: Optional[Union[float, datetime]] = None,
    on_config_error: Literal["exit", "raise"] = "exit",
) -> Task[Dict[str, str]]: ...
@overload
def task(
    env: Optional[Mapping[str, str]],
    data_schema: Type[DataT],
    secure_json: bool = False,
    *,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = True,
    signal_grace_seconds: float = 10.0,
    deadline: Optional[Union[float, datetime]] = None,
    on_config_error: Literal["exit", "raise"] = "exit",
) -> Task[DataT]: ...
@overload
def task(
    env: Optional[Mapping[str, str]] = None,
    *,
    data_schema: Type[DataT],
    secure_json: bool = False,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = True,
    signal_grace_seconds: float = 10.0,
    deadline: Optional[Union[float, datetime]] = None,
    on_config_error: Literal["exit", "raise"] = "exit",
) -> Task[DataT]: ...
@overload
def task(
    env: Optional[Mapping[str, str]],
    data_schema: Dict[str, type],
    secure_json: bool = False,
    *,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = True,
    signal_grace_seconds: float = 10.0,
    deadline: Optional[Union[float, datetime]] = None,
    on_config_error: Literal["exit", "raise"] = "exit",
) -> Task[Dict[str, Any]]: ...
@overload
def task(
    env: Optional[Mapping[str, str]] = None,
    *,
    data_schema: Dict[str, type],
    secure_json: bool = False,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = True,
    signal_grace_seconds: float = 10.0,
    deadline: Optional[Union[float, datetime]] = None,
    on_config_error: Literal["exit", "raise"] = "exit",
) -> Task[Dict[str, Any]]: ...
def task(
    env: Optional[Mapping[str, str]] = None,
    data_schema: Optional[DataSchema] = None,
    secure_json: bool = False,
    *,
    log_level: Optional[str] = None,
    log_stream: Optional[TextIO] = None,
    termination_log_path: str = DEFAULT_TERMINATION_LOG,
    handle_signals: bool = True,
    signal_grace_seconds: float = 10.0,
    deadline: Optional[Union[float, datetime]] = None,
    on_config_error: Literal["exit", "raise"] = "exit",
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
        termination_log_path: The termination log (default ``KEPTN_TASK_TERMINATION_LOG``, else ``/dev/termination-log``).
        handle_signals: On the first SIGTERM or SIGINT set ``stopping`` instead of dying at
            once (SIGINT raises no ``KeyboardInterrupt``); the process then exits 143 (SIGTERM)
            or 130 (SIGINT) when it ends by itself or calls ``succeed()`` (``fail()`` keeps its
            own code), at the latest after ``signal_grace_seconds``; a second signal ends it at
            once. The default, as in the TS SDK; ``False`` leaves Python's own handling
            (SIGTERM ends the process, SIGINT raises ``KeyboardInterrupt``). Handling signals
            needs the main thread: call ``task()`` there.
        signal_grace_seconds: How long the task has to wind down after SIGTERM or SIGINT.
        deadline: When the task must be done: a ``datetime`` or seconds since the epoch (as
            ``time.time()``); overrides ``KEPTN_TASK_DEADLINE`` (RFC 3339 or epoch
            milliseconds). ``stopping`` is set when it is reached.
        on_config_error: What an invalid environment does: ``"exit"`` (the default) logs one
            line listing every issue, writes it to the termination log and exits 78
            (``CONFIG_INVALID``) with ``SystemExit``; ``"raise"`` raises the ``ConfigError``.

    Returns:
        A frozen :class:`Task`, its ``data`` typed by ``data_schema``.

    Raises:
        ConfigError: With ``on_config_error="raise"``, listing every invalid field of
            ``KEPTN_CONTEXT``, ``DATA``, ``SECURE_DATA``, ``KEPTN_TASK_DEADLINE``.
        SystemExit: With code 78, for an invalid environment (the default).
        TypeError: ``data_schema`` is not usable.
        ValueError: Signals are handled and ``task()`` is not called from the main thread.

    Example:
        >>> from keptn_task import task
        >>> t = task(data_schema={"url": str, "retries": int})
        >>> t.log.info("Checking %s", t.data["url"])
        >>> t.succeed("Healthy")
    """
    source: Mapping[str, str] = os.environ if env is None else env
    if termination_log_path == DEFAULT_TERMINATION_LOG:
        # Where keptn-task run reads the reason from, unless the caller chose a path.
        termination_log_path = source.get("KEPTN_TASK_TERMINATION_LOG") or DEFAULT_TERMINATION_LOG
    read = _read_input(source, data_schema, secure_json, deadline, log_level)
    if read.issues:
        error = ConfigError(read.issues)
        if on_config_error == "raise":
            raise error
        _exit_invalid(error, log_stream, termination_log_path)
    log = _task_logger(read.context, read.level, log_stream)
    stopping = threading.Event()
    stop = _Stop()
    if handle_signals:
        _handle_signals(stop, stopping, log, signal_grace_seconds)
    if read.deadline_ms is not None:
        _watch_deadline(stopping, log, read.deadline_ms / 1000)
    return Task(
        context=read.context,
        data=read.data,
        secure_data=read.secure_data,
        log=log,
        stopping=stopping,
        termination_log_path=termination_log_path,
        deadline=None if read.deadline_ms is None else read.deadline_ms / 1000,
        _stop=stop,
    )


class _Input(NamedTuple):
    """The task environment as read, with every issue found in it."""

    context: TaskContext
    data: Any
    secure_data: Any
    deadline_ms: Optional[float]
    level: str
    issues: List[ConfigIssue]


def _read_input(
    source: Mapping[str, str],
    data_schema: Optional[DataSchema],
    secure_json: bool,
    deadline: Optional[Union[float, datetime]],
    log_level: Optional[str],
) -> _Input:
    """Reads ``KEPTN_CONTEXT``, ``DATA``, ``SECURE_DATA``, the deadline and the log level."""
    # The secret is registered first, so nothing below (not even an error) can print it.
    secure_data, secure_issues = parse_secure_data(source.get("SECURE_DATA"), secure_json)
    context, context_issues = parse_context(source.get("KEPTN_CONTEXT"))
    data, data_issues = parse_data(source.get("DATA"), data_schema)
    if deadline is None:
        deadline_ms, deadline_issues = parse_deadline(source.get("KEPTN_TASK_DEADLINE"))
    else:
        seconds = deadline.timestamp() if isinstance(deadline, datetime) else float(deadline)
        deadline_ms, deadline_issues = seconds * 1000, []
    issues: List[ConfigIssue] = [*context_issues, *data_issues, *secure_issues, *deadline_issues]
    level = log_level if log_level is not None else source.get("KEPTN_TASK_LOG_LEVEL", "info")
    if level not in LEVELS:
        origin = ("options", "log_level") if log_level is not None else ("KEPTN_TASK_LOG_LEVEL", "")
        issues.append(ConfigIssue(*origin, f'expected one of {_LEVEL_LIST}, received "{level}"'))
    return _Input(context, data, secure_data, deadline_ms, level, issues)


def _task_logger(context: TaskContext, level: str, stream: Optional[TextIO]) -> logging.Logger:
    """The task's logger, each line carrying the workload and the trace it runs in."""
    return create_logger(
        {
            "app": context.app_name,
            "workload": context.workload_name,
            "version": context.workload_version or context.app_version,
            "taskType": context.task_type,
            "traceId": context.trace.trace_id if context.trace is not None else "",
        },
        level=level,
        stream=stream,
    )


def _exit_invalid(error: ConfigError, stream: Optional[TextIO], path: str) -> NoReturn:
    # One line, as the TS SDK's task(): the issue list (masked: ConfigError's message is), the
    # same text in the termination log, exit 78.
    log = create_logger({}, level="info", stream=stream)
    log.error(error.message, extra={"code": error.code, "exitCode": error.exit_code})
    write_termination_log(error.message, path)
    _ExitState.explicit = True
    sys.exit(error.exit_code)


def _watch_deadline(stopping: threading.Event, log: logging.Logger, deadline: float) -> None:
    # As the TS SDK aborts task.signal: at once (without a log line) for a deadline that has
    # passed, else by a timer (a daemon thread: it never keeps the process alive).
    delay = deadline - time.time()
    if delay <= 0:
        stopping.set()
        return

    def reached() -> None:
        if not stopping.is_set():
            log.warning("Task deadline reached: task.stopping is set")
        stopping.set()

    timer = threading.Timer(delay, reached)
    timer.daemon = True
    timer.name = "keptn_task-deadline"
    timer.start()


def _handle_signals(
    stop: _Stop, stopping: threading.Event, log: logging.Logger, grace_seconds: float
) -> None:
    # A Python signal handler runs between two bytecodes of the main thread, which may hold the
    # lock of stdout or of the Event's condition at that moment: taking either there can fail
    # ("reentrant call") or deadlock. So the handler only writes a byte to a pipe; a watcher
    # thread sets `stopping`, logs, and ends the process when the grace period is over.
    # SIGTERM and SIGINT alike, as the TypeScript SDK: the first signal decides the exit code,
    # a second one ends the process at once with its own.
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    received = stop.received

    def exit_code() -> int:
        return stop.exit_code() or SIGTERM_EXIT_CODE

    def on_signal(signum: int, _frame: Optional[FrameType]) -> None:
        if received:
            _exit_now(_SIGNAL_EXIT_CODES.get(signal.Signals(signum), SIGTERM_EXIT_CODE))
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
            "Cannot handle SIGTERM and SIGINT outside the main thread: call task() from the "
            "main thread, or pass handle_signals=False"
        ) from error
    threading.Thread(target=watch, name="keptn_task-signals", daemon=True).start()
    atexit.register(on_exit)


def _exit_now(code: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed stream must not keep the process alive
            pass
    os._exit(code)
