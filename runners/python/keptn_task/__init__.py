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

SIGTERM and SIGINT: by default Python's own handling applies (the process ends at once). With
``task(handle_signals=True)``, ``t.stopping`` (a ``threading.Event``) is set instead, and the
process exits 143 (130 after SIGINT) when it ends without ``fail()`` / ``succeed()``.
"""

from .context import OBJECT_TYPES, TASK_TYPES, TaskContext, parse_context
from .data import parse_data
from .errors import EXIT_CODES, ConfigError, ConfigIssue, KeptnTaskError
from .logger import JsonFormatter, MaskingFilter, create_logger
from .masking import MASK, SecretRegistry, mask_secrets, register_secret
from .secure_data import parse_secure_data
from .task import SIGTERM_EXIT_CODE, TASK_ENV_VARS, Task, task
from .termination_log import DEFAULT_TERMINATION_LOG, write_termination_log
from .trace_context import TraceContext, parse_traceparent

#: The package version (the npm packages of keptn-task have the same).
__version__ = "0.2.0"

__all__ = [
    "DEFAULT_TERMINATION_LOG",
    "EXIT_CODES",
    "MASK",
    "OBJECT_TYPES",
    "SIGTERM_EXIT_CODE",
    "TASK_ENV_VARS",
    "TASK_TYPES",
    "ConfigError",
    "ConfigIssue",
    "JsonFormatter",
    "KeptnTaskError",
    "MaskingFilter",
    "SecretRegistry",
    "Task",
    "TaskContext",
    "TraceContext",
    "create_logger",
    "mask_secrets",
    "parse_context",
    "parse_data",
    "parse_secure_data",
    "parse_traceparent",
    "register_secret",
    "task",
    "write_termination_log",
    "__version__",
]
