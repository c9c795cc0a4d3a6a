"""``keptn_task.testing``: runs a task handler (the form :func:`keptn_task.run` takes) in a unit
test, with a given environment, and returns how it ended instead of ending the process:
``fail()``, ``succeed()``, a raised exception and an invalid environment (78) all give a
:class:`TestResult`. The twin of the TS SDK's ``@keptn-task/sdk/testing``.

The log lines are masked as in production: a secret of ``SECURE_DATA`` never appears in
``logs`` or ``reason``.

Example::

    from keptn_task.testing import run_handler
    from task import OPTIONS, handler

    result = run_handler(handler, OPTIONS, data={"threshold": 12}, secure_data="test-token")
    assert result.exit_code == 1
    assert result.reason == "threshold 12 is over 10"
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from .run import finish, secure_json_for
from .task import Task, task

#: The context a test's ``context`` keys go over (as the TS SDK's ``TEST_CONTEXT``).
TEST_CONTEXT: Dict[str, Any] = {
    "workloadName": "my-workload",
    "appName": "my-app",
    "appVersion": "",
    "workloadVersion": "1.0.0",
    "taskType": "pre",
    "objectType": "Workload",
    "metadata": {},
}


@dataclass(frozen=True)
class TestResult:
    """How a handler ended.

    Attributes:
        exit_code: The exit code the process would have ended with: 0, 1 (an exception), 78
            (an invalid environment)...
        reason: The termination message (``fail()``'s, ``succeed()``'s, the exception's, the
            issue list), masked; ``None`` when nothing was written.
        logs: The task's JSON log lines, parsed, masked.
    """

    __test__ = False  # not a test class, whatever pytest thinks of the name

    exit_code: int
    reason: Optional[str]
    logs: List[Dict[str, Any]] = field(default_factory=lambda: [])


def run_handler(
    handler: Callable[[Task[Any]], object],
    options: Optional[Mapping[str, Any]] = None,
    *,
    data: Optional[Mapping[str, Union[str, int, float, bool]]] = None,
    secure_data: Any = None,
    context: Optional[Mapping[str, Any]] = None,
    env: Optional[Mapping[str, str]] = None,
) -> TestResult:
    """Runs ``handler`` as :func:`keptn_task.run` would in a task's process and returns how it
    ended. No signal handler is installed and no file of the task's is written.

    Args:
        handler: The task's handler.
        options: The keyword options the task passes to ``run()`` (``{"data": {...},
            "secure_data": dict}``).
        data: ``DATA``: each value passed as Keptn passes it, as a string (``5`` -> ``"5"``).
        secure_data: ``SECURE_DATA``: a string as it is, anything else as JSON.
        context: ``KEPTN_CONTEXT`` keys (camelCase, as Keptn writes them) over
            :data:`TEST_CONTEXT`; without it, no ``KEPTN_CONTEXT`` (a local run).
        env: Raw variables (``KEPTN_TASK_DEADLINE``...), set after the fields above.

    Returns:
        The exit code, the termination message and the log lines, masked.
    """
    given = dict(options or {})
    schema = given.pop("data", None)
    secure_json = secure_json_for(given.pop("secure_data", None))
    stream = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="keptn-task-test-") as scratch:
        path = os.path.join(scratch, "termination-log")
        open(path, "w").close()  # the kubelet's empty file, which fail() and succeed() write
        try:
            t: Task[Any] = task(
                _test_env(data, secure_data, context, env),
                schema,
                secure_json,
                **given,
                log_stream=stream,
                termination_log_path=path,
                handle_signals=False,
                on_config_error="exit",
            )
            finish(handler, t)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        with open(path, encoding="utf-8") as file:
            reason = file.read()
    logs = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return TestResult(exit_code=code, reason=reason or None, logs=logs)


def _test_env(
    data: Optional[Mapping[str, Union[str, int, float, bool]]],
    secure_data: Any,
    context: Optional[Mapping[str, Any]],
    env: Optional[Mapping[str, str]],
) -> Dict[str, str]:
    variables: Dict[str, str] = {}
    if data is not None:
        variables["DATA"] = json.dumps({key: _as_keptn(value) for key, value in data.items()})
    if secure_data is not None:
        variables["SECURE_DATA"] = (
            secure_data if isinstance(secure_data, str) else json.dumps(secure_data)
        )
    if context is not None:
        variables["KEPTN_CONTEXT"] = json.dumps({**TEST_CONTEXT, **context})
    return {**variables, **(env or {})}


def _as_keptn(value: Union[str, int, float, bool]) -> str:
    # As JavaScript's String(): true -> "true", as the TS SDK's runHandler passes it.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
