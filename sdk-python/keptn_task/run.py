"""``run(handler)``: the handler form of a task, as the TS SDK's ``run(options, handler)``.
Its outcome decides how the task ends: returning succeeds (a returned string is the success
message), raising fails with the exception's message (exit code 1, the message in the
termination log, the traceback in the log line's ``err``); ``t.fail()`` and ``t.succeed()``
work inside too. :func:`keptn_task.testing.run_handler` runs the same handler in a unit test.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Mapping, NoReturn, Optional, Type, overload

from .data import DataT
from .masking import default_secrets
from .task import Task, _ExitState, task
from .termination_log import write_termination_log

def secure_json_for(secure_data: Any) -> bool:
    """Whether a ``secure_data`` type asks for JSON: ``dict`` and ``list`` do, ``str`` and
    ``None`` take the raw value.

    Raises:
        TypeError: For any other value, naming the option.
    """
    if secure_data is None or secure_data is str:
        return False
    if secure_data is dict or secure_data is list:
        return True
    raise TypeError(
        f"secure_data: expected str, dict or list, received {secure_data!r}: "
        "str takes the secret as it is, dict or list parse it as JSON"
    )


@overload
def run(
    handler: Callable[[Task[Dict[str, str]]], object],
    *,
    data: None = None,
    secure_data: Any = None,
    env: Optional[Mapping[str, str]] = None,
    **options: Any,
) -> NoReturn: ...
@overload
def run(
    handler: Callable[[Task[DataT]], object],
    *,
    data: Type[DataT],
    secure_data: Any = None,
    env: Optional[Mapping[str, str]] = None,
    **options: Any,
) -> NoReturn: ...
@overload
def run(
    handler: Callable[[Task[Dict[str, Any]]], object],
    *,
    data: Dict[str, type],
    secure_data: Any = None,
    env: Optional[Mapping[str, str]] = None,
    **options: Any,
) -> NoReturn: ...
def run(
    handler: Callable[[Task[Any]], object],
    *,
    data: Any = None,
    secure_data: Any = None,
    env: Optional[Mapping[str, str]] = None,
    **options: Any,
) -> NoReturn:
    """Reads the task environment as :func:`keptn_task.task` does, calls ``handler(t)`` and ends
    the task by its outcome: a return succeeds (a returned string is the success message), an
    exception fails the task with its message (exit code 1). After SIGTERM / SIGINT a handler
    that raises ends as stopped (143 / 130), not as failed.

    Args:
        handler: The task's code, a function of the :class:`Task`.
        data: The schema of ``DATA`` (``data_schema`` of ``task()``): a dict of key -> type, or
            a dataclass.
        secure_data: ``str`` (default: ``SECURE_DATA`` as it is) or ``dict`` / ``list``
            (parsed as JSON).
        env: The environment to read (default: ``os.environ``).
        **options: Any other keyword option of ``task()`` (``log_level``, ``deadline``...).

    Example:
        >>> from keptn_task import run
        >>> def handler(t):
        ...     if t.data["threshold"] > 10:
        ...         raise ValueError(f"threshold {t.data['threshold']} is over 10")
        ...     return "threshold accepted"
        >>> run(handler, data={"threshold": int})
    """
    t: Task[Any] = task(env, data, secure_json_for(secure_data), **options)
    finish(handler, t)


def finish(handler: Callable[[Task[Any]], object], t: Task[Any]) -> NoReturn:
    """Calls ``handler(t)`` and ends the task by its outcome (with ``SystemExit``), as
    :func:`run` does."""
    try:
        result = handler(t)
    except SystemExit:
        raise
    except BaseException as error:  # every failure of the handler fails the task
        _end_raised(t, error)
    t.succeed(result if isinstance(result, str) else None)


def _end_raised(t: Task[Any], error: BaseException) -> NoReturn:
    """A handler raised: the task fails with the message, or ends as stopped after a signal."""
    message = str(error) or type(error).__name__
    stopped = t._stop.exit_code()  # pyright: ignore[reportPrivateUsage]
    _ExitState.explicit = True
    if stopped is not None:
        t.log.warning(
            f"Task stopped: {message}", exc_info=error, extra={"exitCode": stopped}
        )
        sys.exit(stopped)
    t.log.error(message, exc_info=error, extra={"exitCode": 1})
    write_termination_log(default_secrets.mask(message), t.termination_log_path)
    sys.exit(1)
