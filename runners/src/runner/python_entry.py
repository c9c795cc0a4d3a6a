# The python-runtime's entry point. (This first line is a comment, as in task_launch.py.)
"""Runs a plain Python task as the bootstrap runner would, without starting Deno first.

The python-runtime image (and ``keptn-task run`` for a Python task) starts
``python3 -I -S python_entry.py RUNNER...``, where ``RUNNER...`` is the bootstrap runner's own
command (``deno run <flags> bootstrap.js python``). What the operator sends in the usual case (a
mounted file or a plain http(s) URL answered with 200, a context and data as it writes them,
SECURE_DATA or none, no runner option but the termination log's path, the grace period and the
interpreter) this process runs itself, as the runner does: ``python3 task_launch.py FILE``, stdin
from /dev/null, SIGTERM and SIGINT forwarded (killed after the grace period, or at a second
signal), SECURE_DATA masked in the task's output by keptn_task's masker (the TypeScript one's
twin, held to it by test/vectors/masking.json), and a failure written to the termination log and
as one JSON log line, in the runner's words.

Everything else it hands over with ``execv`` to ``RUNNER...``, before anything ran: a variable
that is bad or merely unusual, interpreter options in CMD_ARGS, OpenTelemetry settings, a proxy,
credentials or a query in the URL, a response that is not a plain 200, a missing interpreter.
The runner then checks, refuses and reports as it always does: every refusal has one
implementation. What this saves is the Deno start in front of python3 (see docs/benchmarks.md);
``test/runners/python-entry.test.ts`` holds both paths to the same outcome.

Standard library only; keptn_task's masker is loaded only when there is a secret to mask.
"""

import os
import sys

# Started with -I, Python does not put this file's folder on sys.path. The work is in modules
# next to it, which the image keeps compiled (a script is compiled on every start).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from python_entry_supervise import main  # noqa: E402

main()
