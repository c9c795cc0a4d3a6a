"""A Python task's uncaught exception, reported as a Deno task's is: its last line
(``ValueError: bad threshold``), masked, in the termination log, so ``kubectl describe pod`` and
``keptn-task run``'s summary say why the task failed instead of only "exited with code 1".

The runner puts a ``sitecustomize`` next to this package on ``PYTHONPATH`` whose
``sys.excepthook`` calls :func:`report_uncaught`, so plain Python code that never imports
``keptn_task`` is covered too; this module is imported only when an exception reaches the top.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Mapping, Optional, Type

from .masking import default_secrets
from .termination_log import DEFAULT_TERMINATION_LOG, write_termination_log

#: The longest description kept, as the Deno runner keeps at most 300 characters.
MAX_DESCRIPTION = 300

def describe_uncaught(kind: Type[BaseException], value: BaseException) -> str:
    """The last line Python prints for an exception (``ValueError: bad threshold``), as one line.

    Example:
        >>> describe_uncaught(ValueError, ValueError("bad threshold"))
        'ValueError: bad threshold'
    """
    try:
        lines = traceback.format_exception_only(kind, value)
        text = lines[-1].strip() if lines else kind.__name__
    except Exception:  # a __str__ that raises must not hide the exception itself
        text = kind.__name__
    line = " ".join(text.split("\n")[0].split())
    return line if len(line) <= MAX_DESCRIPTION else f"{line[:MAX_DESCRIPTION]}…"


def uncaught_reason(description: str) -> str:
    """The termination message for an uncaught exception, worded as the Deno runner's."""
    return f"Task exited with code 1: uncaught {description}"


def report_uncaught(
    kind: Type[BaseException],
    value: BaseException,
    env: Optional[Mapping[str, str]] = None,
) -> bool:
    """Writes the reason for an uncaught exception to the termination log, masked with
    ``SECURE_DATA`` and every secret registered, unless the task wrote a reason of its own.

    Returns:
        Whether the termination log was written.
    """
    source = os.environ if env is None else env
    secret = source.get("SECURE_DATA")
    if secret:
        default_secrets.register(secret)
    path = source.get("KEPTN_TASK_TERMINATION_LOG") or DEFAULT_TERMINATION_LOG
    try:
        with open(path, "rb") as file:
            if file.read(1) != b"":
                return False  # the task's own words stand, as fail() wrote them
    except OSError:
        return False
    reason = default_secrets.mask(uncaught_reason(describe_uncaught(kind, value)))
    return write_termination_log(reason, path)

