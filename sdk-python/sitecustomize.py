"""keptn-task's runner: Python imports this at start-up because the runner puts its folder on
PYTHONPATH. It reports a task's uncaught exception in the termination log, as the runner does
for a Deno task (see keptn_task/uncaught.py); keptn_task itself is imported only then.
"""

import sys


def _report(kind, value, tb):  # type: ignore[no-untyped-def]
    _previous(kind, value, tb)
    if issubclass(kind, (SystemExit, KeyboardInterrupt)):
        return
    try:
        from keptn_task.uncaught import report_uncaught

        report_uncaught(kind, value)
    except Exception:  # reporting must never replace the task's own failure
        pass


_previous = sys.excepthook
sys.excepthook = _report
