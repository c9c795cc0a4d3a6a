"""keptn_task: typed, validated Keptn task input for Python task code, with secret masking.

The Python twin of the ``@keptn-task/sdk`` TypeScript SDK, standard library only. The
python-runtime's runner puts this package on ``PYTHONPATH``, so task code imports it directly::

    from keptn_task import task

    t = task(data_schema={"url": str, "retries": int})
    t.log.info("Checking %s for %s", t.data["url"], t.context.workload_name)
    if not healthy(t.data["url"], token=t.secure_data):
        t.fail(f'Health check of "{t.data["url"]}" failed')
    t.succeed("Healthy")

``task()`` raises :class:`ConfigError` (exit code 78 by convention) listing every invalid field
of ``KEPTN_CONTEXT``, ``DATA`` and ``SECURE_DATA``. ``SECURE_DATA`` is registered for masking the
moment it is read: the task's logger, ``fail()``, ``succeed()`` and :func:`mask_secrets` never
print it in any of its common encodings.

SIGTERM and SIGINT, as in the TS SDK: ``t.stopping`` (a ``threading.Event``) is set instead of
the process dying at once, and the process exits 143 (130 after SIGINT) when it ends by itself
or calls ``succeed()``; ``task(handle_signals=False)`` leaves Python's own handling.
``t.stopping`` is also set at the deadline (``KEPTN_TASK_DEADLINE``); ``t.remaining_seconds()``
tells how long is left.

The shared test vectors in ``test/vectors/`` hold this package and the TS SDK to the same
values and messages; ``sdk-python/README.md`` lists the deliberate differences.
"""

from .context import OBJECT_TYPES, TASK_TYPES, TaskContext, parse_context
from .data import parse_data
from .deadline import parse_deadline
from .errors import EXIT_CODES, ConfigError, ConfigIssue, KeptnTaskError
from .logger import JsonFormatter, MaskingFilter, create_logger
from .masking import MASK, SecretMasker, SecretRegistry, mask_secrets, register_secret
from .run import run
from .secure_data import parse_secure_data
from .task import SIGINT_EXIT_CODE, SIGTERM_EXIT_CODE, TASK_ENV_VARS, Task, task
from .termination_log import DEFAULT_TERMINATION_LOG, write_termination_log
from .trace_context import TraceContext, parse_traceparent

#: The package version (the npm packages of keptn-task have the same).
__version__ = "0.2.0"

__all__ = [
    "DEFAULT_TERMINATION_LOG",
    "EXIT_CODES",
    "MASK",
    "OBJECT_TYPES",
    "SIGINT_EXIT_CODE",
    "SIGTERM_EXIT_CODE",
    "TASK_ENV_VARS",
    "TASK_TYPES",
    "ConfigError",
    "ConfigIssue",
    "JsonFormatter",
    "KeptnTaskError",
    "MaskingFilter",
    "SecretMasker",
    "SecretRegistry",
    "Task",
    "TaskContext",
    "TraceContext",
    "create_logger",
    "mask_secrets",
    "parse_context",
    "parse_data",
    "parse_deadline",
    "parse_secure_data",
    "parse_traceparent",
    "register_secret",
    "run",
    "task",
    "write_termination_log",
    "__version__",
]
